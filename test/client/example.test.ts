import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `npm run example` with `args` (the build was done by the test command's pretest). */
function runExample(
  args: string[],
  timeout: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--ignore-scripts", "--silent", "example", "--", ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the example did not end within ${timeout} ms; output:\n${out}`));
    }, timeout);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

it("plays the seed's ping-pong game for N passes and exits 0", async () => {
  const passes = 20;
  const { code, out } = await runExample(
    ["--passes", String(passes), "--delay", "0", "--port", "0"],
    50_000,
  );
  expect(code, out).toBe(0);
  const lines = out.trim().split("\n");
  expect(
    lines.every((line) => ["ping", "pong", "Damn!"].includes(line)),
    out,
  ).toBe(true);
  const shots = lines.filter((line) => line !== "Damn!");
  expect(shots).toEqual(Array.from({ length: passes }, (_, i) => (i % 2 === 0 ? "ping" : "pong")));
  // A "Damn!" only ever follows a shot, never starts the game or doubles up.
  expect(lines[0]).toBe("ping");
  expect(out).not.toMatch(/Damn!\nDamn!/);
}, 60_000);

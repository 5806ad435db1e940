import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hold, isFree, portOf, release, workerdBelow } from "../server/children.js";
import { cmd } from "../support/inbox.js";
import { type Child, start, stop } from "../support/process.js";
import { freshRoom } from "../support/relay.js";
import { sync } from "../support/session.js";
import { CLI, openSocket, runCli } from "./cli-child.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(joinPath(tmpdir(), prefix));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const child = start([CLI, ...args], options);
  cleanup.push(() => stop(child));
  return child;
}

describe("wscomsrv", () => {
  it("serves a client, logs it, and stops on SIGTERM with 0, leaving nothing on disk", async () => {
    const cwd = await tempDir("wscomsrv-cwd-");
    const scratch = await tempDir("wscomsrv-tmp-");
    const child = cli(["serve", "--port", "0"], { cwd, env: { TMPDIR: scratch } });
    const [, address] = await child.waitFor(/listening on (ws:\/\/\S+)/);
    const room = freshRoom();
    const inbox = await openSocket(`${address}/${room}`);
    await inbox.take(2);
    inbox.send(cmd("indentify", { name: "Player1" }, "server", "Player1"));
    await sync(inbox, "Player1");
    await child.waitFor(new RegExp(`\\[${room}\\] "Player1" identified`), 5_000);
    inbox.socket.close(1000);
    await child.waitFor(new RegExp(`\\[${room}\\] "Player1" disconnected \\(code 1000\\)`), 5_000);
    expect(child.output()).toContain(`[${room}] a client connected`);
    // While it runs, the rooms live in Miniflare's scratch directory under TMPDIR.
    expect(await readdir(scratch)).toEqual([expect.stringMatching(/^miniflare-/)]);

    const port = Number(new URL(address ?? "").port);
    expect(await stop(child)).toBe(0);
    expect(child.output()).toMatch(/SIGTERM: stopping\nstopped\n/);
    expect(await isFree(port)).toBe(true);
    expect(workerdBelow(child.process.pid)).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
    // Miniflare's scratch directory (the rooms' storage) is deleted on close.
    expect(await readdir(scratch)).toEqual([]);
  });

  it("logs refused identifies and prints only the address with --quiet", async () => {
    const loud = cli(["--port", "0", "--password", "pw"]);
    const [, address = ""] = await loud.waitFor(/listening on (ws:\/\/\S+)/);
    await loud.waitFor(/Ctrl-C stops it/);
    expect(loud.output()).toContain(
      `  console: ${address.replace(/^ws/, "http")}/<room> in a browser\n`,
    );
    const room = freshRoom();
    const inbox = await openSocket(`${address}/${room}`);
    await inbox.take(2);
    inbox.send(cmd("indentify", { name: "A", password: "wrong" }, "server", "A"));
    await loud.waitFor(new RegExp(`\\[${room}\\] identify refused for "A": BAD_PASSWORD`), 5_000);
    expect(loud.output()).not.toContain("wrong");
    inbox.socket.close();

    const quiet = cli(["--port", "0", "--quiet"]);
    const [, quietAddress] = await quiet.waitFor(/listening on (ws:\/\/\S+)\n/);
    const other = await openSocket(`${quietAddress}/${room}`);
    await other.take(2);
    other.socket.close(1000);
    await other.closed();
    expect(await stop(quiet)).toBe(0);
    expect(quiet.output()).toBe(`wscomsrv listening on ${quietAddress}\n`);
  });

  it("exits with 1 and says so when the port is taken", async () => {
    const blocker = await hold();
    cleanup.push(() => release(blocker));
    const child = cli(["--port", String(portOf(blocker))]);
    expect(await child.exited).toBe(1);
    expect(child.output()).toMatch(/address in use: 127\.0\.0\.1:\d+ .*\(EADDRINUSE\)/);
    expect(child.output()).toContain(
      "(EADDRINUSE); pick another port with --port, or --port 0 for any free one\n",
    );
  });

  it("exits with 1 and says what to give for a host this machine does not have", async () => {
    const run = await runCli(["--host", "192.0.2.1", "--port", "9"]);
    expect(run).toMatchObject({ status: 1, stdout: "" });
    expect(run.stderr).toMatch(
      /^wscomsrv: .*\(ERR_LISTEN\); give --host an address of this machine, like 127\.0\.0\.1 or 0\.0\.0\.0\n$/,
    );
  });

  it("exits with 2 and says what to give for a --persist path that is a file", async () => {
    const file = joinPath(await tempDir("wscomsrv-persist-"), "state.txt");
    await writeFile(file, "");
    expect(await runCli(["--port", "0", "--persist", file])).toEqual({
      status: 2,
      stdout: "",
      stderr: `wscomsrv: --persist ${file} is a file, not a directory (ERR_PERSIST); give a directory this user can write (it is created when missing)\n`,
    });
  });

  it("prints its help, and exits with 2 for a bad flag", async () => {
    const help = cli(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.output()).toMatch(/Usage:\n\s+wscomsrv \[serve\] \[options\]/);
    expect(help.output()).toContain("--persist DIR");
    const bad = cli(["serve", "--port", "http"]);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--port must be a number from 0 to 65535, got "http"');
  });
});

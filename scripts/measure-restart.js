// Measures how fast the relay on this machine listens, and whether clients that behave as the
// seed's Python client (retry once, about a second after the connection dropped) come back
// after a restart. Needs a build (`npm run build`). Run: node scripts/measure-restart.js [runs]
//
// 1. From the start of `node scripts/start.js` (npm start's script, the tree unchanged) and of
//    `node dist/cli/main.js serve` to the line "listening on": the median and the slowest.
//    And the runtime's floor: a bare Miniflare with a one-line Worker, the same way.
// 2. A restart: 3 seed clients in 3 rooms, the CLI stopped with SIGTERM and started again on
//    the same port; how many are connected again, how long each was away, and the close code.
// 3. In this process: the time `require("miniflare")` takes (what the first `start()` of a
//    process adds), then `SocketServer.start()` to resolved: the median and the slowest.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 5);

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the CLI; resolves with the child and the ms until it printed its address. */
function startRelay(args) {
  const began = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/listening on/.test(out)) resolve({ child, ms: performance.now() - began });
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

function stopRelay(child) {
  return new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** A seed client: identifies, and after a close waits 1 s and tries once more. */
function seedClient(url, name) {
  const state = { back: false, code: undefined, droppedAt: 0, backAt: 0 };
  const connect = (retry) => {
    const socket = new WebSocket(url);
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (frame.data?.cmd === "indentify") {
        socket.send(
          JSON.stringify({
            type: "cmd",
            data: { cmd: "indentify", args: [], kwargs: { name } },
            from: name,
            target: "server",
          }),
        );
        if (retry) {
          state.back = true;
          state.backAt = performance.now();
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", (code) => {
      if (retry) return;
      state.code = code;
      state.droppedAt = performance.now();
      setTimeout(() => connect(true), 1_000);
    });
    state.socket = socket;
  };
  connect(false);
  return state;
}

/** The floor: Miniflare loaded with `require`, one workerd with a one-line Worker, listening. */
const FLOOR = `
const { Miniflare, convertV4MiniflareOptions } = require("miniflare");
const mf = new Miniflare(convertV4MiniflareOptions({
  modules: true, script: "export default { fetch() { return new Response('ok') } }",
  host: "127.0.0.1", port: Number(process.argv.at(-1)), compatibilityDate: "2026-11-01",
}));
mf.ready.then((url) => console.log("listening on " + url));
process.on("SIGTERM", () => mf.dispose().then(() => process.exit(0)));
`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const report = (label, values) =>
  console.log(
    `${label}: median ${median(values).toFixed(0)} ms, slowest ${Math.max(...values).toFixed(0)} ms (${values.length} runs)`,
  );

for (const [label, args] of [
  ["node scripts/start.js to listening", ["scripts/start.js", "--quiet"]],
  ["node dist/cli/main.js serve to listening", ["dist/cli/main.js", "serve", "--quiet"]],
  ["floor, a bare Miniflare with a one-line Worker, to listening", ["-e", FLOOR, "--"]],
]) {
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const port = String(await freePort());
    const { child, ms } = await startRelay(
      args[0] === "-e" ? [...args, port] : [...args, "--port", port],
    );
    times.push(ms);
    await stopRelay(child);
  }
  report(label, times);
}

const port = await freePort();
const args = ["scripts/start.js", "--quiet", "--port", String(port)];
let { child } = await startRelay(args);
const clients = ["a", "b", "c"].map((room) =>
  seedClient(`ws://127.0.0.1:${port}/${room}`, `Seed-${room}`),
);
await new Promise((resolve) => setTimeout(resolve, 1_500)); // connected for over a second
const stopped = performance.now();
await stopRelay(child);
const down = performance.now() - stopped;
({ child } = await startRelay(args));
const restarted = performance.now() - stopped;
await new Promise((resolve) => setTimeout(resolve, 2_000));
const back = clients.filter((client) => client.back);
console.log(
  `restart: SIGTERM to exit ${down.toFixed(0)} ms, SIGTERM to listening again ${restarted.toFixed(0)} ms; ` +
    `${back.length} of ${clients.length} seed clients back (close codes ${clients.map((c) => c.code).join(", ")}; ` +
    `away ${back.map((c) => (c.backAt - c.droppedAt).toFixed(0)).join(", ")} ms)`,
);
for (const client of clients) client.socket.close();
await stopRelay(child);

const loading = performance.now();
createRequire(import.meta.url)("miniflare");
console.log(`require("miniflare") in this process: ${(performance.now() - loading).toFixed(0)} ms`);
const { SocketServer } = await import("../dist/server/index.js");
const starts = [];
for (let i = 0; i < runs; i += 1) {
  const began = performance.now();
  const server = await SocketServer.start({ port: 0 });
  starts.push(performance.now() - began);
  await server.close();
}
report("SocketServer.start() in this process, Miniflare loaded", starts);

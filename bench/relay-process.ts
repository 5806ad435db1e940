/**
 * A Worker on workerd in a process of its own, through the embedded server
 * (`SocketServer.start`) on 127.0.0.1 with the port and limits given: the relay (the
 * production bundle `dist/worker/index.js`, or the copy given with `--script`), or, with
 * `--script floor-worker.js`, the floor, which so runs the same way as the relay.
 *
 * `node dist/bench/relay-process.js --port 0 --limits '{"framesPerSecond":1000000}'`
 * prints `listening ws://127.0.0.1:PORT` and runs until SIGTERM, SIGINT, or its stdin closes.
 *
 * @module
 */

import { SocketServer } from "../src/server/index.js";
import { announce, serverArgs, stopWhenAsked } from "./child.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const { port, limits, script } = serverArgs(process.argv.slice(2));
const before = SIGNALS.map((signal) => new Set(process.listeners(signal)));
const server = await SocketServer.start({ host: "127.0.0.1", port, limits, scriptPath: script });
// Miniflare's own signal hooks would kill workerd and exit with 128+n; close cleanly instead.
SIGNALS.forEach((signal, i) => {
  for (const listener of process.listeners(signal)) {
    if (!before[i]?.has(listener)) process.off(signal, listener);
  }
});
stopWhenAsked(() => server.close());
announce(server.wsAddress);

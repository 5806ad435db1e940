/**
 * Measures when a socket closed by its room sees the close: the time from the `ws` client's
 * `open` event to (a) the arrival of the close frame and (b) the client's `close` event, which
 * waits for the end of the TCP connection. Four cases, each on a server of its own on
 * 127.0.0.1, each run in a room of its own:
 *
 * - `relay, silent`: the local server (`dist/server`) with `identifyTimeoutMs: 1000`; the
 *   client sends nothing, so the identify timeout (4008) closes it after 1 s.
 * - `relay, sent a frame`: the same, but the client first sends one text frame that is not an
 *   identify (the relay answers it with the handshake again, and the socket stays
 *   unidentified until the same timeout closes it).
 * - `bare DO, silent` and `bare DO, sent a frame`: a bare Durable Object (source below) that
 *   accepts the socket with the hibernation API (`ctx.acceptWebSocket`) and closes it with
 *   4008 from its alarm 1 s later, run by the same local server (`scriptPath`), so on the same
 *   workerd, compatibility date and sockets as the relay.
 *
 * `npm run measure:close` (builds the Worker and the server first) prints the median and the
 * maximum of each case over `--runs N` runs (default 3): the four cases at once, each case's
 * runs one after another (about 11 s per silent run, so about 35 s in all). `--serial` runs the
 * cases one after another too (about 75 s), to check that running them together does not
 * change the figures. (Starting all runs at once does: the 12 handshakes then delay the
 * clients' `open` events by some 50 ms on two cores.)
 *
 * The close frame's arrival is read from the `ws` receiver's `conclude` event (an internal of
 * `ws` 8, the version the project pins): the public API only reports the `close` event.
 *
 * @module
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { SocketServer } from "../dist/server/index.js";

/** The bare Durable Object: accept hibernatable, close from the alarm after 1 s. */
const BARE_WORKER = `
export class Room {
  constructor(state) {
    this.state = state;
  }
  async fetch() {
    const pair = new WebSocketPair();
    this.state.acceptWebSocket(pair[1]);
    await this.state.storage.setAlarm(Date.now() + 1000);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }
  alarm() {
    for (const ws of this.state.getWebSockets()) ws.close(4008, "identify timeout");
  }
  webSocketMessage() {}
  webSocketClose() {}
}
export default {
  fetch(request, env) {
    return env.ROOMS.get(env.ROOMS.idFromName(new URL(request.url).pathname)).fetch(request);
  },
};
`;

/** The frame the non-silent clients send first: text that is not an identify. */
const FIRST_FRAME = "hello";

/** How long one run may take before it counts as failed (`ws` itself gives up after 30 s). */
const RUN_TIMEOUT_MS = 45_000;

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, serial: { type: "boolean", default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a positive integer`);

/**
 * One connection: opens, optionally sends a frame, and waits for the close.
 * @returns milliseconds from `open` to the close frame and to the `close` event, and the code
 */
function measureOnce(url, sendFirst) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let openedAt = 0;
    let frameAt = Number.NaN;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`${url}: no close within ${RUN_TIMEOUT_MS} ms`));
    }, RUN_TIMEOUT_MS);
    ws.on("open", () => {
      openedAt = performance.now();
      ws._receiver.prependListener("conclude", () => {
        frameAt = performance.now();
      });
      if (sendFirst) ws.send(FIRST_FRAME);
    });
    ws.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve({ frameMs: frameAt - openedAt, closeMs: performance.now() - openedAt, code });
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), "measure-close-"));
const barePath = join(dir, "bare-worker.js");
await writeFile(barePath, BARE_WORKER);

const cases = [
  { name: "relay, silent", bare: false, sendFirst: false },
  { name: "relay, sent a frame", bare: false, sendFirst: true },
  { name: "bare DO, silent", bare: true, sendFirst: false },
  { name: "bare DO, sent a frame", bare: true, sendFirst: true },
];
const servers = await Promise.all(
  cases.map(({ bare }) =>
    SocketServer.start({
      host: "127.0.0.1",
      port: 0,
      ...(bare ? { scriptPath: barePath } : { limits: { identifyTimeoutMs: 1000 } }),
    }),
  ),
);

try {
  /** One case's runs, one after another, each in a room of its own. */
  const runCase = async (c, i) => {
    const mine = [];
    for (let run = 0; run < runs; run++) {
      const url = `${servers[i]?.wsAddress}/close-${i}-${run}-${Date.now()}`;
      mine.push(await measureOnce(url, c.sendFirst));
    }
    return mine;
  };
  const perCase = [];
  if (values.serial) for (const [i, c] of cases.entries()) perCase.push(await runCase(c, i));
  else perCase.push(...(await Promise.all(cases.map(runCase))));

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  };
  const ms = (x) => (Number.isNaN(x) ? "none" : `${Math.round(x)}`).padStart(8);
  console.log(
    `ms from open, ${runs} run(s) per case, ${values.serial ? "one case after another" : "the cases at once"}`,
  );
  console.log(
    `${"case".padEnd(24)}${"frame med".padStart(10)}${"frame max".padStart(10)}` +
      `${"close med".padStart(10)}${"close max".padStart(10)}  codes`,
  );
  cases.forEach((c, i) => {
    const mine = perCase[i] ?? [];
    const frames = mine.map((r) => r.frameMs);
    const closes = mine.map((r) => r.closeMs);
    console.log(
      `${c.name.padEnd(24)}  ${ms(median(frames))}  ${ms(Math.max(...frames))}` +
        `  ${ms(median(closes))}  ${ms(Math.max(...closes))}  ${[...new Set(mine.map((r) => r.code))].join(",")}`,
    );
  });
} finally {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
}

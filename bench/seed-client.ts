/**
 * A bench client that speaks only the seed's protocol, over plain `ws` with its defaults, as
 * the seed's clients do: it answers `indentify` with its name, stores `set_time`, ignores
 * frames it does not know, and asks for no capabilities.
 *
 * The seed's server never confirms an identify, so the client knows it is identified when a
 * frame it sent to itself right after the identify comes back.
 *
 * @module
 */

import WebSocket from "ws";
import type { BenchClient, ClientSetup } from "./bench-client.js";
import { BENCH_TYPE, readStamp } from "./bench-frame.js";
import { isRecord, messageText, parseObject } from "./json-object.js";
import { deferred, LossError } from "./tripwire.js";

const PROBE_TYPE = "bench-ready";

function commandOf(frame: Record<string, unknown>): string | undefined {
  const data = frame.data;
  if (frame.type !== "cmd" || !isRecord(data)) return undefined;
  return typeof data.cmd === "string" ? data.cmd : undefined;
}

/** Creates a seed-protocol client that connects at once. */
export function createSeedClient({ url, name, onBench, trip }: ClientSetup): BenchClient {
  const socket = new WebSocket(url);
  const ready = deferred();
  const closed = deferred();
  let closing = false;
  let time: unknown;
  const send = (frame: object): void => socket.send(JSON.stringify(frame));
  socket.on("message", (data) => {
    const frame = parseObject(messageText(data));
    if (frame === undefined) return; // The seed's client logs it and goes on.
    if (frame.type === BENCH_TYPE) {
      const stamp = readStamp(frame.data);
      if (stamp === undefined) trip.fail(new LossError(`${name} (seed): a malformed bench frame`));
      else onBench(stamp, typeof frame.from === "string" ? frame.from : undefined);
      return;
    }
    if (frame.type === PROBE_TYPE && frame.from === name) {
      ready.resolve();
      return;
    }
    const command = commandOf(frame);
    if (command === "indentify") {
      send({
        type: "cmd",
        data: { cmd: "indentify", args: [], kwargs: { name } },
        from: name,
        target: ["server"],
      });
      send({ type: PROBE_TYPE, data: {}, from: name, target: [name] });
    } else if (command === "set_time") {
      time = frame.data;
    }
  });
  socket.on("error", (error) => {
    if (!closing) trip.fail(new Error(`${name} (seed): ${error.message}`));
  });
  socket.on("close", (code) => {
    if (!closing) trip.fail(new Error(`${name} (seed): closed unexpectedly with ${code}`));
    closed.resolve();
  });
  return {
    name,
    ready: ready.promise.then(() => {
      if (time === undefined) trip.fail(new Error(`${name} (seed): no set_time before identify`));
    }),
    send,
    close() {
      closing = true;
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      socket.close(1000);
      return closed.promise;
    },
  };
}

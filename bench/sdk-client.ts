/**
 * A bench client through the client SDK (`src/client`), with the SDK's defaults: whatever the
 * SDK does by default (capabilities, heartbeats, batching when it has it) is what is measured.
 * The harness only adds hooks: bench frames in, and every error or unexpected close trips the
 * run.
 *
 * @module
 */

import { WebSocketClient } from "../src/client/node.js";
import type { BenchClient, ClientSetup } from "./bench-client.js";
import { BENCH_TYPE, readStamp } from "./bench-frame.js";
import { deferred, LossError } from "./tripwire.js";

/** Creates an SDK client that connects at once. */
export function createSdkClient({ url, name, onBench, trip }: ClientSetup): BenchClient {
  const client = new WebSocketClient(name, { host: url });
  const ready = deferred();
  const closed = deferred();
  let closing = false;
  client.addOnError("bench", (error) => {
    if (!closing) trip.fail(new Error(`${name} (sdk): ${error.code}: ${error.message}`));
  });
  client.on("close", (info) => {
    if (!closing) trip.fail(new Error(`${name} (sdk): closed unexpectedly with ${info.code}`));
    if (!info.reconnecting) closed.resolve();
  });
  client.on("identified", () => ready.resolve());
  client.addMessageType(BENCH_TYPE, (data, { sender }) => {
    const stamp = readStamp(data);
    if (stamp === undefined) trip.fail(new LossError(`${name} (sdk): a malformed bench frame`));
    else onBench(stamp, sender);
  });
  return {
    name,
    ready: ready.promise,
    send(frame) {
      const result = client.writeToSocket(frame);
      if (result !== "sent") trip.fail(new LossError(`${name} (sdk): writeToSocket ${result}`));
    },
    close() {
      closing = true;
      // Only a socket that is there reports its close; otherwise there is nothing to wait for.
      const open =
        client.state === "connecting" || client.state === "open" || client.state === "identified";
      client.close();
      return open ? closed.promise : Promise.resolve();
    },
  };
}

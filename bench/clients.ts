/**
 * The bench's clients and the frames they send. Three kinds, driven by the same scenario
 * code: the client SDK with its defaults (whatever it does by default, capabilities,
 * heartbeats, batching, exactly-once delivery, is what is measured; the harness only adds
 * hooks), the same SDK asking only for the capabilities it asked for before `delivery`
 * ({@link AT_MOST_ONCE_CAPABILITIES}), and a plain `ws` client that speaks only the seed's
 * protocol, as the seed's clients do: it answers `indentify` with its name, stores
 * `set_time`, ignores frames it does not know, and asks for no capabilities.
 *
 * A bench frame is an application frame of type `"bench"` whose data holds a sequence number
 * (to find lost or reordered frames), the send time (for latencies) and padding (for the
 * payload size).
 *
 * @module
 */

import WebSocket from "ws";
import {
  Capability,
  type CapabilityName,
  Command,
  commandMessage,
  isJsonObject,
  SERVER,
} from "wscomsrv-protocol";
import { WebSocketClient } from "../src/client/node.js";
import { deferred, LossError, type Tripwire, within } from "./checks.js";
import type { ClientKind } from "./plan.js";
import { commandOf, messageText, parseFrame } from "./seed.js";

/**
 * The capabilities of the `sdk-no-delivery` kind: the SDK's defaults before `delivery`,
 * `receipts` and `calls` (at most once: a frame the relay never acked is reported, not sent
 * again, and nothing is numbered or confirmed). Spelled out, not derived from the SDK's
 * `DEFAULT_CAPABILITIES` (which has grown `presence` and `stamps` since): the kind stays the
 * baseline docs/performance.md measured, whatever the defaults become.
 *
 * @example
 * ```ts
 * new WebSocketClient("A", { host, capabilities: AT_MOST_ONCE_CAPABILITIES });
 * ```
 */
const AT_MOST_ONCE_CAPABILITIES: readonly CapabilityName[] = Object.freeze([
  Capability.errors,
  Capability.undelivered,
  Capability.resume,
  Capability.heartbeat,
  Capability.batch,
  Capability.acks,
]);

/** The frame type of bench frames. */
export const BENCH_TYPE = "bench";

/** What a receiver reads from a bench frame. */
export interface BenchStamp {
  /** Position in the sender's stream, from 0. */
  seq: number;
  /** `performance.now()` in the harness when it was sent. */
  t: number;
}

/**
 * A bench frame, in the seed's envelope.
 *
 * @example
 * ```ts
 * client.send(benchFrame("A", ["B"], 0, performance.now(), padding(64)));
 * ```
 */
export function benchFrame(
  from: string,
  target: string | string[],
  seq: number,
  t: number,
  pad: string,
): object {
  return { type: BENCH_TYPE, data: { seq, t, pad }, from, target };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * `bytes` ASCII letters and digits, the same every time: pseudo-random, so that a connection
 * with `permessage-deflate` neither shrinks the payload to nothing nor skips the work.
 */
export function padding(bytes: number): string {
  let state = 0x2545f491;
  let text = "";
  for (let i = 0; i < bytes; i += 1) {
    // xorshift32: cheap, deterministic, good enough to defeat a dictionary.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += ALPHABET[(state >>> 0) % ALPHABET.length];
  }
  return text;
}

/** The UTF-8 size of a bench frame as the client hands it over (the frame's JSON text). */
export function benchFrameBytes(from: string, target: string | string[], pad: string): number {
  return Buffer.byteLength(JSON.stringify(benchFrame(from, target, 1_000_000, 123_456.789, pad)));
}

/** The stamp of a bench frame's `data`, or `undefined` when it is not one. */
function readStamp(data: unknown): BenchStamp | undefined {
  if (!isJsonObject(data)) return undefined;
  const { seq, t } = data;
  if (typeof seq !== "number" || typeof t !== "number") return undefined;
  return { seq, t };
}

/** Called for every bench frame a client receives. */
export type OnBench = (stamp: BenchStamp) => void;

/** What a client needs to know when it is created. */
interface ClientSetup {
  /** `ws://host:port/room`. */
  url: string;
  /** The name to identify as. */
  name: string;
  /** What an SDK client asks for at identify; the SDK's defaults when unset. */
  capabilities?: readonly CapabilityName[];
  /** Takes every bench frame received. */
  onBench: OnBench;
  /** Where an unexpected close or error goes. */
  trip: Tripwire;
}

/** One connected client, of either kind. */
export interface BenchClient {
  readonly name: string;
  /**
   * Resolves once the server has surely taken the identify: the SDK's `identified` event, or
   * for a seed client a frame it sent to itself after identifying coming back.
   */
  readonly ready: Promise<void>;
  /** The capabilities the server granted at the last identify (none for a seed client). */
  granted(): readonly string[];
  /** Sends a frame object (serialised as JSON). */
  send(frame: object): void;
  /** Closes the socket; resolves when it has closed (or at once when it was closed). */
  close(): Promise<void>;
}

/**
 * An SDK client (`new WebSocketClient(name, { host })`, with `capabilities` when set) that
 * connects at once.
 */
function sdkClient({ url, name, capabilities, onBench, trip }: ClientSetup): BenchClient {
  const client = new WebSocketClient(name, {
    host: url,
    ...(capabilities === undefined ? {} : { capabilities }),
  });
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
  client.addMessageType(BENCH_TYPE, (data) => {
    const stamp = readStamp(data);
    if (stamp === undefined) trip.fail(new LossError(`${name} (sdk): a malformed bench frame`));
    else onBench(stamp);
  });
  return {
    name,
    ready: ready.promise,
    granted: () => client.capabilities,
    send(frame) {
      const result = client.writeToSocket(frame);
      // "queued": with delivery, the window of frames not acked yet is full; it goes out in
      // order as acks come (the check of every frame's arrival holds it to that).
      if (result === "dropped") trip.fail(new LossError(`${name} (sdk): writeToSocket dropped`));
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

/** The frame a seed client sends to itself after its identify: back, it proves the identify. */
const PROBE_TYPE = "bench-ready";

/**
 * A seed-protocol client that connects at once. The seed's server never confirms an
 * identify, so the client knows it is identified when its probe comes back.
 */
function seedClient({ url, name, onBench, trip }: ClientSetup): BenchClient {
  const socket = new WebSocket(url);
  const ready = deferred();
  const closed = deferred();
  let closing = false;
  let time: unknown;
  const send = (frame: object): void => socket.send(JSON.stringify(frame));
  socket.on("message", (data) => {
    const frame = parseFrame(messageText(data));
    if (frame === undefined) return; // The seed's client logs it and goes on.
    if (frame.type === BENCH_TYPE) {
      const stamp = readStamp(frame.data);
      if (stamp === undefined) trip.fail(new LossError(`${name} (seed): a malformed bench frame`));
      else onBench(stamp);
      return;
    }
    if (frame.type === PROBE_TYPE && frame.from === name) {
      ready.resolve();
      return;
    }
    const command = commandOf(frame)?.cmd;
    if (command === Command.identify) {
      send(commandMessage(Command.identify, name, SERVER, { name }));
      send({ type: PROBE_TYPE, data: {}, from: name, target: [name] });
    } else if (command === Command.setTime) {
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
    granted: () => [],
    send,
    close() {
      closing = true;
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      socket.close(1000);
      return closed.promise;
    },
  };
}

const READY_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 30_000;

/**
 * Connects `names.length` clients of `kind` to `url`, at most `concurrency` at a time, and
 * resolves once every one is ready. On a failure the clients created so far are closed.
 */
export async function connectClients(
  kind: ClientKind,
  url: string,
  names: readonly string[],
  options: { concurrency: number; trip: Tripwire; onBench?: (index: number) => OnBench },
): Promise<BenchClient[]> {
  const create = (setup: ClientSetup): BenchClient => {
    if (kind === "seed") return seedClient(setup);
    if (kind === "sdk-no-delivery") {
      return sdkClient({ ...setup, capabilities: AT_MOST_ONCE_CAPABILITIES });
    }
    return sdkClient(setup);
  };
  const clients: BenchClient[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next;
      next += 1;
      const name = names[index] ?? "";
      const onBench = options.onBench?.(index) ?? (() => {});
      const client = create({ url, name, onBench, trip: options.trip });
      clients[index] = client;
      await within(client.ready, READY_TIMEOUT_MS, `${name} to identify`, options.trip);
    }
  };
  const workers = Array.from({ length: Math.min(options.concurrency, names.length) }, worker);
  try {
    await Promise.all(workers);
  } catch (error) {
    await closeClients(clients.filter((client) => client !== undefined));
    throw error;
  }
  return clients;
}

/** Closes clients and waits (30 s at most) until every socket has closed. */
export async function closeClients(clients: readonly BenchClient[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
  });
  await Promise.race([Promise.all(clients.map((client) => client.close())), late]);
  clearTimeout(timer);
}

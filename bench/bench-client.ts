/**
 * The two kinds of client the bench drives with the same scenario code: the client SDK with
 * its defaults, and a plain `ws` client that speaks only the seed's protocol.
 *
 * @module
 */

import type { BenchStamp } from "./bench-frame.js";
import { createSdkClient } from "./sdk-client.js";
import { createSeedClient } from "./seed-client.js";
import { type Tripwire, within } from "./tripwire.js";

/** `sdk`: `wscomsrv-client` with its defaults; `seed`: plain `ws`, the seed's protocol only. */
export type ClientKind = "sdk" | "seed";

/** Both kinds, in the order the bench runs them. */
export const CLIENT_KINDS: readonly ClientKind[] = ["sdk", "seed"];

/** Called for every bench frame a client receives. */
export type OnBench = (stamp: BenchStamp, from: string | undefined) => void;

/** What a client needs to know when it is created. */
export interface ClientSetup {
  /** `ws://host:port/room`. */
  url: string;
  /** The name to identify as. */
  name: string;
  /** Takes every bench frame received. */
  onBench: OnBench;
  /** Where an unexpected close or error goes. */
  trip: Tripwire;
}

/** One connected client, of either kind. */
export interface BenchClient {
  readonly name: string;
  /**
   * Resolves once the relay has surely taken the identify: the SDK's `identified` event, or
   * for a seed client a frame it sent to itself after identifying coming back.
   */
  readonly ready: Promise<void>;
  /** Sends a frame object (serialised as JSON). */
  send(frame: object): void;
  /** Closes the socket; resolves when it has closed (or at once when it was closed). */
  close(): Promise<void>;
}

/** Creates a client of `kind`; it connects at once. */
export function createClient(kind: ClientKind, setup: ClientSetup): BenchClient {
  return kind === "sdk" ? createSdkClient(setup) : createSeedClient(setup);
}

const READY_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 30_000;

/**
 * Connects `names.length` clients to `url`, at most `concurrency` at a time, and resolves once
 * every one is ready. On a failure the clients created so far are closed.
 */
export async function connectClients(
  kind: ClientKind,
  url: string,
  names: readonly string[],
  options: { concurrency: number; trip: Tripwire; onBench?: (index: number) => OnBench },
): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const index = next;
      next += 1;
      const name = names[index] ?? "";
      const client = createClient(kind, {
        url,
        name,
        onBench: options.onBench?.(index) ?? (() => {}),
        trip: options.trip,
      });
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

/**
 * A restart of the built CLI through `scripts/start.js` (what `npm start` runs) with the tree
 * unchanged: clients that behave as the seed's Python client (one retry after the drop, and
 * none after that) see 1001 and are all back; and Ctrl-C (SIGINT) closes clients with 1001 too.
 *
 * The seed retries after one second, and the relay listens again within it on a quiet
 * machine (`node scripts/measure-restart.js` measures it; docs/server.md has the figures). The
 * test gives its clients' one retry a few seconds instead, so that it holds the behaviour (no
 * build when nothing changed, every client back after one retry) on a loaded test machine too.
 */

/** The wait before the one retry of the test's seed clients (the seed's own is 1 s). */
const RETRY_AFTER_MS = 5_000;

import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type Child, freePort, start, stop } from "../support/process.js";
import { freshRoom } from "../support/relay.js";
import { SeedClient } from "../support/seed-client.js";
import { openSocket } from "./cli-child.js";

const START = fileURLToPath(new URL("../../scripts/start.js", import.meta.url));

const running: Child[] = [];
const seeds: SeedClient[] = [];
afterEach(async () => {
  for (const seed of seeds.splice(0)) seed.stop();
  for (const child of running.splice(0)) await stop(child);
});

function relay(args: string[]): Child {
  const child = start([START, "--quiet", ...args]);
  running.push(child);
  return child;
}

/** Resolves once every connection of `seed` is older than the seed's one second. */
function oldEnough(seed: SeedClient): Promise<void> {
  const opened = seed.connections[0]?.openedAt ?? Date.now();
  // The seed gives up on a host whose connection closed within its first second: the
  // connection must have lived that long before the restart (a rule of the client's, not a wait
  // for the relay).
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, opened + 1_100 - Date.now())));
}

describe("a restart of npm start's relay", () => {
  it("brings back every seed client that retries once, each told 1001 first", async () => {
    const port = await freePort();
    const first = relay(["--port", String(port)]);
    const [line] = await first.waitFor(/^wscomsrv listening on ws:\/\/\S+\n/);
    // The tree is built: no build ran, the address is the first line.
    expect(first.output()).toBe(line);
    for (const room of [freshRoom(), freshRoom(), freshRoom()]) {
      seeds.push(new SeedClient(`ws://127.0.0.1:${port}/${room}`, "Seed", RETRY_AFTER_MS));
    }
    for (const seed of seeds)
      await seed.until(() => seed.connections.length === 1, "the connection");
    for (const seed of seeds) await oldEnough(seed);

    expect(await stop(first)).toBe(0);
    for (const seed of seeds) {
      await seed.until(() => seed.connections[0]?.code !== undefined, "the close");
      expect(seed.connections[0]?.code).toBe(1001);
    }
    const second = relay(["--port", String(port)]);
    await second.waitFor(/listening on/);
    for (const seed of seeds) {
      await seed.until(
        () => seed.connections.length === 2 || seed.gaveUp,
        "the reconnect",
        RETRY_AFTER_MS + 10_000,
      );
    }
    expect(
      seeds.map((seed) => ({ gaveUp: seed.gaveUp, connections: seed.connections.length })),
    ).toEqual(seeds.map(() => ({ gaveUp: false, connections: 2 })));
  });

  it("closes clients with 1001 on Ctrl-C (SIGINT) too, and exits with 0", async () => {
    const child = relay(["--port", "0"]);
    const [, address] = await child.waitFor(/listening on (ws:\/\/\S+)\n/);
    const inbox = await openSocket(`${address}/${freshRoom()}`);
    await inbox.take(2);
    child.process.kill("SIGINT");
    expect(await inbox.closed()).toEqual({ code: 1001, reason: "relay stopping" });
    expect(await child.exited).toBe(0);
  });
});

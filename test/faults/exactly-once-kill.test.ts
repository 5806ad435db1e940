/**
 * Row 5 of issue 11's fault table: the local relay (the built CLI, `wscomsrv serve`, in a
 * child process) killed with SIGKILL mid-burst and started again on the same persistence
 * directory and port. Three senders write 10,000 numbered frames each to one receiver; every
 * client notices, reconnects and takes its name back with its resume secret, and the
 * receiver's application must have handled every frame once, in each sender's order: frames
 * the relay had acked come from its storage, frames it had not are resent by their senders.
 *
 * The kill takes the relay's workerd with it (SIGKILL to both, by pid): a workerd left behind
 * would hold the room's storage and the port, which no killed machine does.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, expect, it } from "vitest";
import { CLI } from "../cli/cli-child.js";
import { isFree, workerdBelow } from "../server/children.js";
import { type Child, freePort, start, stop } from "../support/process.js";
import { freshRoom } from "../support/relay.js";
import { nodeClients } from "./node-trio.js";
import { Trio } from "./trio.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** `wscomsrv serve --port PORT --persist DIR`, once it listens. */
async function serve(port: number, dir: string): Promise<Child> {
  const child = start([CLI, "serve", "--port", String(port), "--persist", dir]);
  cleanup.push(async () => void (await stop(child)));
  await child.waitFor(/listening on ws:\/\/\S+\n/);
  return child;
}

/** SIGKILL to the relay and its workerd, and waits until its port is free again. */
async function kill(child: Child, port: number): Promise<void> {
  const below = workerdBelow(child.process.pid);
  expect(below.length).toBeGreaterThan(0);
  child.process.kill("SIGKILL");
  for (const pid of below) process.kill(pid, "SIGKILL");
  expect(await child.exited).toBeNull();
  const deadline = Date.now() + 10_000;
  while (!(await isFree(port))) {
    if (Date.now() > deadline) throw new Error(`port ${port} still taken 10 s after the kill`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("the local relay killed with SIGKILL mid-burst and restarted on its directory and port", async () => {
  const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-kill-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const relay = await serve(port, dir);
  const trio = new Trio({ make: nodeClients(`ws://127.0.0.1:${port}`, freshRoom()) });
  cleanup.push(() => trio.close());
  await trio.connect();
  trio.start();
  await trio.handled(3_000);
  expect(trio.senders.some(({ burst }) => burst.done)).toBe(false);

  await kill(relay, port);
  await serve(port, dir);

  // Everyone noticed and came back under its name, proven (mail is for a proven owner only).
  await Promise.all(trio.everyone.map(({ events }) => events.identifiedTimes(2, 20_000)));
  for (const { client, events } of trio.everyone) {
    expect(events.closes[0]?.reconnecting).toBe(true);
    expect(client.capabilities).toContain("delivery");
  }
  await trio.expectEveryFrameOnce();
}, 60_000);

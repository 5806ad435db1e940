/**
 * Row 4 of issue 11's fault table, inside workerd: the room reset mid-burst (the Durable
 * Object evicted with its sockets closed and its memory gone, as every deploy does) while
 * three SDK clients write 10,000 numbered frames each to a fourth. Every client sees its close,
 * reconnects and takes its name back with its resume secret; the receiver's application must
 * have handled every frame once, in each sender's order. The SDK runs here as it is, over
 * {@link WorkerSocket}; the three-senders-one-receiver setup is the Node fault tests' own.
 */

import { runInDurableObject } from "cloudflare:test";
import { afterEach, expect, it } from "vitest";
import { WebSocketClient } from "../../src/client/client.js";
import { Trio } from "../faults/trio.js";
import { freshRoom, roomStub } from "./connect.js";
import { WorkerSocket } from "./sdk-socket.js";

/**
 * Resets the room as a deploy does: `ctx.abort()` throws its instance away at once, memory
 * and sockets with it. (The integration's `evictDurableObject` waits until the room may
 * hibernate, which a room holding unconfirmed frames in memory may not.)
 */
async function resetRoom(room: string): Promise<void> {
  await runInDurableObject(roomStub(room), (_instance, state) => {
    state.abort("reset by the test");
  }).catch(() => {});
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

it("the room reset mid-burst, both sides back: every frame once, in order", async () => {
  const room = freshRoom();
  const trio = new Trio({
    // 1,000 frames a second per sender: the bursts outlast two resets (a room is evicted only
    // once the frames it keeps in memory are confirmed or written, which under a steady
    // stream takes a few seconds).
    perTick: 5,
    make: (name, options) =>
      new WebSocketClient(name, {
        host: `ws://relay.test/${room}`,
        WebSocket: WorkerSocket,
        ...options,
      }),
  });
  cleanup.push(() => trio.close());
  await trio.connect();
  trio.start();
  for (const [reset, atCount] of [2_000, 5_000].entries()) {
    await trio.handled(atCount);
    expect(trio.senders.some(({ burst }) => burst.done)).toBe(false);
    await resetRoom(room);
    await Promise.all(trio.everyone.map(({ events }) => events.identifiedTimes(reset + 2, 20_000)));
  }
  for (const { client, events } of trio.everyone) {
    expect(events.closes.map(({ reconnecting }) => reconnecting)).toEqual([true, true]);
    expect(client.capabilities).toContain("delivery");
  }
  await trio.expectEveryFrameOnce();
}, 90_000);

/**
 * Row 4 of issue 11's fault table, inside workerd: the room reset mid-burst (the Durable
 * Object evicted with its sockets closed and its memory gone, as every deploy does) while
 * three SDK clients write 10,000 numbered frames each to a fourth. Every client sees its close,
 * reconnects and takes its name back with its resume secret; the receiver's application must
 * have handled every frame once, in each sender's order. The SDK runs here as it is, over
 * {@link WorkerSocket}; the three-senders-one-receiver setup is the Node fault tests' own.
 */

import { evictDurableObject } from "cloudflare:test";
import { afterEach, expect, it } from "vitest";
import { WebSocketClient } from "../../src/client/client.js";
import { Trio } from "../faults/trio.js";
import { freshRoom, roomStub } from "./connect.js";
import { WorkerSocket } from "./sdk-socket.js";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

it("the room reset mid-burst, both sides back: every frame once, in order", async () => {
  const room = freshRoom();
  const trio = new Trio({
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
  for (const [reset, atCount] of [3_000, 7_000].entries()) {
    await trio.handled(atCount);
    expect(trio.senders.some(({ burst }) => burst.done)).toBe(false);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    await Promise.all(trio.everyone.map(({ events }) => events.identifiedTimes(reset + 2, 20_000)));
  }
  for (const { client, events } of trio.everyone) {
    expect(events.closes.map(({ reconnecting }) => reconnecting)).toEqual([true, true]);
    expect(client.capabilities).toContain("delivery");
  }
  await trio.expectEveryFrameOnce();
}, 90_000);

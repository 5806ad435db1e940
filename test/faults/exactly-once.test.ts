/**
 * Exactly-once delivery per name (capability `delivery`, asked for by the SDK by default),
 * checked from the receiving application's side: three senders write 10,000 numbered frames
 * each to one receiver, a fault strikes mid-burst, and the receiver's message type function
 * must have handled every frame once, in each sender's order. Rows of issue 11's fault table:
 * the receiver's connection cut (through the TCP proxy), the receiver away and back with its
 * resume secret, and a client that takes the name without proof while the owner is away. The
 * other rows are in `exactly-once-bounds.test.ts` (window and overflow),
 * `exactly-once-kill.test.ts` (SIGKILL of the local relay) and
 * `test/worker/exactly-once-reset.test.ts` (the room reset inside workerd).
 */

import { afterEach, describe, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { Recorder } from "../support/recorder.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { TcpProxy } from "../support/tcp-proxy.js";
import { Deliveries, range } from "./burst.js";
import { nodeClients } from "./node-trio.js";
import { FAULT_CODES, onceInOrder, RECEIVER, Trio, unexpectedErrors } from "./trio.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function relay(): Promise<SocketServer> {
  const server = await startRelay();
  cleanup.push(() => server.close());
  return server;
}

function trio(server: SocketServer, room: string, receiverHost?: string): Trio {
  const made = new Trio({
    make: nodeClients(server.wsAddress, room),
    receiver: receiverHost === undefined ? {} : { host: receiverHost },
  });
  cleanup.push(() => made.close());
  return made;
}

describe("the check of the fault tests", () => {
  it("names the sender and the number of a frame handled twice, out of order, or never", () => {
    expect(onceInOrder([0, 1, 2], range(3), "S1")).toBeUndefined();
    expect(onceInOrder([0, 1, 1, 2], range(3), "S1")).toMatch(/^S1's frame 1 was handled twice/);
    expect(onceInOrder([0, 2, 1], range(3), "S2")).toMatch(
      /^S2's frame 1 was handled after its frame 2/,
    );
    expect(onceInOrder([0, 2], range(3), "S3")).toMatch(
      /^1 of S3's 3 frames were never handled, the first 1/,
    );
    expect(onceInOrder([0, 1, 2, 3], range(3), "S1")).toMatch(/frame 3 was handled, but/);
  });
});

describe("exactly once, per sender in order, through faults (three senders, 10,000 frames each)", () => {
  it("the receiver's connection cut twice mid-burst, back within the window", async () => {
    const server = await relay();
    const proxy = await TcpProxy.start(server);
    cleanup.push(() => proxy.close());
    const room = freshRoom();
    const t = trio(server, room, `${proxy.url}/${room}`);
    await t.connect();
    t.start();
    for (const [cut, atCount] of [2_000, 6_000].entries()) {
      await t.handled(atCount);
      expect(t.senders.some(({ burst }) => burst.done)).toBe(false);
      // The receiver's connection is the proxy's latest.
      proxy.connections.at(-1)?.cut();
      await t.receiver.events.identifiedTimes(cut + 2);
    }
    await t.expectEveryFrameOnce();
    // The cuts happened: the receiver closed twice and came back under its name, proven.
    expect(t.receiver.events.closes.map(({ reconnecting }) => reconnecting)).toEqual([true, true]);
    expect(t.receiver.client.capabilities).toContain("delivery");
  }, 60_000);

  it("the receiver away (no socket) while the senders finish, then back with its resume secret", async () => {
    const server = await relay();
    const room = freshRoom();
    const t = trio(server, room);
    await t.connect();
    t.start();
    await t.handled(2_000);
    const { client, events } = t.receiver;
    expect(client.close()).toBe(0);
    await events.until(() => events.closes.length === 1, "the receiver's close");
    const handledBefore = t.deliveries.times.length;
    // Every frame of every burst written while the receiver is away, and acked: no sender
    // holds any of them, nor did the relay report one undelivered. They are in the room.
    await t.acked();
    expect(t.senders.flatMap(({ events }) => events.relayErrors.map((e) => e.relayCode))).toEqual(
      [],
    );
    expect(t.deliveries.times.length).toBe(handledBefore);
    expect(handledBefore).toBeLessThan(3 * 5_000);
    client.connectToSocket();
    const back = await events.identifiedTimes(2);
    expect(back.name).toBe(RECEIVER);
    expect(client.capabilities).toContain("delivery");
    await t.expectEveryFrameOnce();
  }, 60_000);

  it("a client that takes the name without proof gets none of the owner's stored frames", async () => {
    const server = await relay();
    const room = freshRoom();
    const t = trio(server, room);
    // Frames that are not burst frames: a probe the senders send to whoever holds the name.
    const probes = { owner: 0, impostor: 0 };
    t.receiver.client.addMessageType("probe", () => {
      probes.owner += 1;
    });
    await t.connect();
    t.start();
    await t.handled(1_000);
    const owner = t.receiver;
    owner.client.close();
    await owner.events.until(() => owner.events.closes.length === 1, "the owner's close");
    await t.acked();

    // Another client object under the same name, with no resume secret.
    const events = new Recorder();
    const impostor = nodeClients(server.wsAddress, room)(RECEIVER, {
      logger: events.logger,
      autoConnect: false,
    });
    events.attach(impostor);
    cleanup.push(() => void impostor.close());
    const stolen = new Deliveries(impostor, events);
    impostor.addMessageType("probe", () => {
      probes.impostor += 1;
      events.wake();
    });
    impostor.connectToSocket();
    await events.identifiedTimes(1);
    expect(impostor.capabilities).not.toContain("delivery");
    // A frame sent now reaches the holder of the name; stored mail would have come first.
    t.senders[0]?.client.writeToSocket({ type: "probe", data: 1, target: [RECEIVER] });
    await events.until(() => probes.impostor === 1, "the probe at the impostor");
    expect(stolen.times).toEqual([]);

    // The owner, back with its secret, takes the name over and gets every stored frame.
    owner.client.connectToSocket();
    await owner.events.identifiedTimes(2);
    expect(owner.client.capabilities).toContain("delivery");
    await events.until(() => events.closes.length === 1, "the impostor's close");
    expect(events.closes[0]).toMatchObject({ code: 4010, reconnecting: false });
    await t.expectEveryFrameOnce();
    expect(stolen.times).toEqual([]);
    expect(probes.impostor).toBe(1);
    expect(
      unexpectedErrors({ name: "impostor", client: impostor, events }, [
        ...FAULT_CODES,
        "FATAL_CLOSE",
      ]),
    ).toEqual([]);
  }, 60_000);
});

/**
 * Exactly-once delivery and receipts against the relay (capabilities `delivery`, `receipts`):
 * a receiver cut mid-burst gets every frame once and in order; a sender cut before its acks
 * came sends again, and the receiver drops what it had; receipts say `confirmed`, `delivered`,
 * `unknown` and `stored`.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ClientErrorCode,
  type Json,
  type ReceiptTimeoutError,
  type WebSocketClient,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, eventually, type Recorder } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const note = (n: number, target = "Receiver") => ({ type: "note", data: n, target });
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A receiver that records the `data` of every note it is handed, and every frame's raw text. */
function receiver(
  base: SocketServer | string,
  room: string,
  name = "Receiver",
): { wsc: WebSocketClient; events: Recorder; got: Json[] } {
  const { client: wsc, events } = client(base, room, name);
  const got: Json[] = [];
  wsc.addMessageType("note", (data) => {
    got.push(data ?? null);
    events.wake();
  });
  return { wsc, events, got };
}

it("hands a receiver cut mid-burst every frame once, in order, and confirms what it handled", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const { wsc: reader, events, got } = receiver(proxy.url, room);
    await events.identifiedTimes(1);
    expect(reader.capabilities).toEqual(expect.arrayContaining(["delivery", "receipts"]));
    const { client: writer, events: writerEvents } = client(server, room, "Writer");
    await writerEvents.identifiedTimes(1);

    for (const n of range(1, 40)) writer.writeToSocket(note(n));
    await events.until(() => got.length === 40, "the first 40 frames");
    // The next frames reach the relay and are handed to the receiver's socket, but the
    // connection dies before they arrive; the relay keeps them until they are confirmed.
    const connection = await proxy.connection(0);
    connection.stall("toClient");
    for (const n of range(41, 80)) {
      writer.writeToSocket(note(n));
      if (n % 10 === 0) await tick();
    }
    await eventually(() => writer.unconfirmedFrames === 0, "the writer's acks");
    connection.cut();
    // While the receiver is away, the room keeps the frames for it.
    for (const n of range(81, 100)) writer.writeToSocket(note(n));
    await events.identifiedTimes(2);
    for (const n of range(101, 120)) writer.writeToSocket(note(n));
    await events.until(() => got.length >= 120, "every frame", 10_000);
    expect(got).toEqual(range(1, 120));
    // Nothing went missing, no duplicate reached a hook, and no relay frame of the client's
    // own (mail, ack, receipt) reached the message hooks.
    expect(events.errors).toEqual([]);
    expect(events.messages.filter((m) => m.type === "mail" || m.type === "ack")).toEqual([]);
    writer.close();
    reader.close();
  } finally {
    await proxy.close();
  }
});

it("sends again, first, what the relay never acked; the receiver drops what it had already", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const { wsc: reader, events, got } = receiver(server, room);
    await events.identifiedTimes(1);
    const { client: writer, events: writerEvents } = client(proxy.url, room, "Writer");
    await writerEvents.identifiedTimes(1);
    writer.writeToSocket(note(1));
    await events.until(() => got.length === 1, "the first frame");
    await eventually(() => writer.unconfirmedFrames === 0, "the first ack");
    const connection = await proxy.connection(0);
    // Frames 2-4 reach the relay and the receiver, but their acks never come back; frames
    // 5-6 never reach the relay.
    connection.stall("toClient");
    for (const n of [2, 3, 4]) writer.writeToSocket(note(n));
    await events.until(() => got.length === 4, "frames 2 to 4");
    connection.stall("toRelay");
    await tick();
    for (const n of [5, 6]) writer.writeToSocket(note(n));
    await tick();
    expect(writer.unconfirmedFrames).toBe(5);
    connection.cut();
    await writerEvents.until(() => writer.state === "reconnecting", "the writer's close");
    // Put back first, in order, before what is written meanwhile.
    expect(writer.queuedFrames).toBe(5);
    writer.writeToSocket(note(7));
    await writerEvents.identifiedTimes(2);
    await events.until(() => got.length >= 7, "frames 5 to 7");
    writer.writeToSocket(note(8));
    await events.until(() => got.length >= 8, "frame 8");
    expect(got).toEqual(range(1, 8));
    // Nothing reported lost: every unacked frame was kept and sent again.
    expect(writerEvents.unconfirmed).toEqual([]);
    expect(writerEvents.errors).toEqual([]);
    expect(events.errors).toEqual([]);
    writer.close();
    reader.close();
  } finally {
    await proxy.close();
  }
});

it("resolves receipts: confirmed by a receiver with delivery, delivered, unknown", async () => {
  const room = freshRoom();
  const { wsc: reader, events } = receiver(server, room);
  await events.identifiedTimes(1);
  const plain = await join(server, room, "Plain");
  const { client: writer, events: writerEvents } = client(server, room, "Writer");
  await writerEvents.identifiedTimes(1);

  const confirmed = await writer.deliver(note(1));
  expect(confirmed).toEqual({
    sid: writer.streamId,
    seq: expect.any(Number),
    status: { Receiver: "confirmed" },
  });
  const mixed = await writer.deliver({ type: "note", data: 2, target: ["Plain", "Ghost"] });
  expect(mixed.status).toEqual({ Plain: "delivered", Ghost: "unknown" });
  expect(mixed.seq).toBeGreaterThan(confirmed.seq);
  // The plain reader saw the frame with the identity the receipts name.
  const seen = await plain.next();
  expect(seen).toMatchObject({ data: 2, sid: writer.streamId, seq: mixed.seq, receipt: true });
  // A frame that asks for a receipt is an object without delivery fields of its own.
  expect(() => writer.deliver("[1]")).toThrow(TypeError);
  expect(() => writer.deliver({ ...note(3), seq: 1 })).toThrow(TypeError);
  expect(() => writer.deliver(note(3), { timeout: -1 })).toThrow(RangeError);
  expect(writerEvents.relayErrors.map((error) => [error.relayCode, error.targets])).toEqual([
    ["UNDELIVERED", ["Ghost"]],
  ]);
  expect(writerEvents.errors).toEqual(writerEvents.relayErrors);
  // Receipts are the client's own business: no message hook saw one, nor an UNKNOWN_TYPE.
  expect(writerEvents.messages.filter((m) => m.type === "receipt" || m.type === "mail")).toEqual(
    [],
  );
  writer.close();
  reader.close();
  plain.socket.close();
});

it("keeps a receipt pending while the target is away (stored), and a queued frame's too", async () => {
  const room = freshRoom();
  const { wsc: reader, events } = receiver(server, room);
  await events.identifiedTimes(1);
  const { client: writer, events: writerEvents } = client(server, room, "Writer", {
    autoConnect: false,
  });
  // Asked for before the writer is even connected: the frame waits in the queue.
  const queued = writer.deliver(note(1));
  writer.connectToSocket();
  expect((await queued).status).toEqual({ Receiver: "confirmed" });
  await writerEvents.identifiedTimes(1);

  reader.close();
  await events.until(() => events.closes.length === 1, "the receiver's close");
  const stored = await writer
    .deliver(note(2), { timeout: 300 })
    .catch((error: ReceiptTimeoutError) => error);
  expect(stored).toMatchObject({
    code: ClientErrorCode.receiptTimeout,
    receipt: { status: { Receiver: "stored" } },
  });
  // Back with its resume secret: the stored frame is handed over, then confirmed.
  const later = writer.deliver(note(3));
  reader.connectToSocket();
  expect((await later).status).toEqual({ Receiver: "confirmed" });

  // Dropped unsent: the promise rejects with the drop, which the error hooks do not get.
  writer.close();
  const dropped = await writer.deliver(note(4)).catch((error: unknown) => error);
  expect(dropped).toMatchObject({ code: ClientErrorCode.clientClosed });
  expect(writerEvents.errors).toEqual([]);
  reader.close();
});

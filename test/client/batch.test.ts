/**
 * Batching (capability `batch`): the frames written in one tick go out as one batch, split at
 * the limits; the relay's batches are taken apart into their frames, in order.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import type { Json } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import type { Frame } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, eventually, recordingWebSocket } from "../support/sdk-client.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const note = (n: number, target: string | string[] = "Reader") => ({
  type: "note",
  data: n,
  target,
});
const parsed = (texts: readonly string[]): Frame[] => texts.map((text) => JSON.parse(text));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

it("sends the frames written in one tick as one batch, each with an id, and the peer gets them in order", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Writer", {
    WebSocket: recording.WebSocket,
  });
  await events.identifiedTimes(1);
  expect(wsc.capabilities).toEqual(expect.arrayContaining(["batch", "acks"]));
  const before = recording.sent.length;
  expect([1, 2, 3, 4, 5].map((n) => wsc.writeToSocket(note(n)))).toEqual(Array(5).fill("sent"));
  // Nothing left yet: the batch goes at the end of the tick.
  expect(recording.sent.length).toBe(before);
  await tick();
  const sent = parsed(recording.sent.slice(before));
  expect(sent).toHaveLength(1);
  expect(sent[0]).toEqual({
    type: "batch",
    data: [1, 2, 3, 4, 5].map((n, i) => ({ ...note(n), id: i + 1, sid: wsc.streamId, seq: n })),
    target: ["server"],
    id: 6,
  });
  // A seed-style reader gets the frames one by one, with the ids.
  expect((await reader.take(5)).map((f) => [f.from, f.data, f.id])).toEqual(
    [1, 2, 3, 4, 5].map((n) => ["Writer", n, n]),
  );
  // A frame written alone in its tick goes out plain.
  wsc.writeToSocket(note(6));
  await tick();
  expect(parsed(recording.sent.slice(before + 1))).toEqual([
    { ...note(6), id: 7, sid: wsc.streamId, seq: 6 },
  ]);
  expect((await reader.next()).data).toBe(6);
  wsc.close();
  reader.socket.close();
});

it("splits a tick's frames at maxBatchFrames and maxBatchBytes, and keeps their order", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Splitter", {
    WebSocket: recording.WebSocket,
    maxBatchFrames: 3,
    maxBatchBytes: 400,
  });
  await events.identifiedTimes(1);
  const before = recording.sent.length;
  for (let n = 0; n < 7; n++) wsc.writeToSocket(note(n));
  wsc.writeToSocket({ type: "note", data: "x".repeat(500), target: "Reader" });
  wsc.writeToSocket(note(7));
  await tick();
  const sent = parsed(recording.sent.slice(before));
  expect(sent.map((f) => (f.type === "batch" ? (f.data as Frame[]).length : 1))).toEqual([
    3, 3, 1, 1, 1,
  ]);
  for (const text of recording.sent.slice(before)) {
    if (text.startsWith('{"type":"batch"'))
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(400);
  }
  const got = await reader.take(9);
  expect(got.map((f) => (typeof f.data === "string" ? "long" : f.data))).toEqual([
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    "long",
    7,
  ]);
  wsc.close();
  reader.socket.close();
});

it("takes the relay's batches apart: every frame through the hooks and functions, in order", async () => {
  const room = freshRoom();
  const recording = recordingWebSocket();
  const receiver = client(server, room, "Receiver", { WebSocket: recording.WebSocket });
  const got: Json[] = [];
  receiver.client.addMessageType("note", (data, { raw, sender }) => {
    got.push(data ?? null);
    // A frame from a batch has its own text.
    expect(JSON.parse(raw)).toMatchObject({ type: "note", data, from: sender });
    receiver.events.wake();
  });
  const sender = client(server, room, "Sender");
  await receiver.events.identifiedTimes(1);
  await sender.events.identifiedTimes(1);
  for (let n = 0; n < 50; n++) sender.client.writeToSocket(note(n, "Receiver"));
  await receiver.events.until(() => got.length === 50, "50 notes");
  expect(got).toEqual(Array.from({ length: 50 }, (_, n) => n));
  // They came as one batch frame from the relay, after its mail frame (delivery), and no hook
  // saw the wrapper or the mail frame.
  const batches = parsed(recording.received).filter((f) => f.type === "batch");
  expect(batches).toHaveLength(1);
  expect((batches[0]?.data as Frame[] | undefined)?.map((f) => f.type)).toEqual([
    "mail",
    ...Array<string>(50).fill("note"),
  ]);
  expect(receiver.events.messages.filter((m) => m.type === "note")).toHaveLength(50);
  expect(receiver.events.messages.some((m) => m.type === "batch")).toBe(false);
  expect(receiver.events.errors).toEqual([]);
  receiver.client.close();
  sender.client.close();
});

it("sends every frame alone with batch: false, and does not ask for the capability", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Single", {
    WebSocket: recording.WebSocket,
    batch: false,
  });
  const info = await events.identifiedTimes(1);
  expect(info.capabilities).not.toContain("batch");
  const before = recording.sent.length;
  for (const n of [1, 2, 3]) wsc.writeToSocket(note(n));
  await tick();
  expect(parsed(recording.sent.slice(before))).toEqual(
    [1, 2, 3].map((n) => ({ ...note(n), id: n, sid: wsc.streamId, seq: n })),
  );
  expect((await reader.take(3)).map((f) => f.data)).toEqual([1, 2, 3]);
  wsc.close();
  reader.socket.close();
});

it("behaves as before against a relay that grants neither batch nor acks", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Plain", {
    WebSocket: recording.WebSocket,
    capabilities: ["errors", "resume"],
  });
  await events.identifiedTimes(1);
  const before = recording.sent.length;
  const frames = [note(1), note(2), '{"type":"note","data":3,"target":"Reader"}'];
  for (const frame of frames) expect(wsc.writeToSocket(frame)).toBe("sent");
  // Each goes to the socket at once, exactly as written.
  expect(recording.sent.slice(before)).toEqual(
    frames.map((frame) => (typeof frame === "string" ? frame : JSON.stringify(frame))),
  );
  expect((await reader.take(3)).map((f) => [f.data, f.id])).toEqual([
    [1, undefined],
    [2, undefined],
    [3, undefined],
  ]);
  expect(wsc.unconfirmedFrames).toBe(0);
  wsc.close();
  reader.socket.close();
});

it("takes a peer's frame of type batch inside the relay's batch as an application frame, and its ack after it", async () => {
  const room = freshRoom();
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Self", { WebSocket: recording.WebSocket });
  const got: Json[] = [];
  wsc.addMessageType("batch", (data, { sender }) => {
    got.push([sender ?? null, data ?? null]);
    events.wake();
  });
  await events.identifiedTimes(1);
  // To itself: the relay routes it back in the same event as its ack, so both come in one
  // relay batch, the peer's "batch" frame among the relay's.
  const peerBatch = { type: "batch", data: [{ type: "note", data: 1 }], target: ["Self"] };
  expect(wsc.writeToSocket(peerBatch)).toBe("sent");
  await events.until(() => got.length === 1, "the peer's batch frame");
  expect(got).toEqual([["Self", [{ type: "note", data: 1 }]]]);
  const relayBatch = parsed(recording.received).find(
    (f) => f.from === "server" && f.type === "batch",
  );
  // With delivery, the relay's mail frame numbers the peer frame first; the ack waits until
  // the receiver (the client itself) confirmed it.
  expect((relayBatch?.data as Frame[] | undefined)?.map((f) => f.type)).toEqual(["mail", "batch"]);
  await eventually(() => wsc.unconfirmedFrames === 0, "the ack");
  expect(events.messages.map((m) => m.type)).toContain("batch");
  expect(events.errors).toEqual([]);
  wsc.close();
});

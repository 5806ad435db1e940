import { afterAll, beforeAll, expect, it } from "vitest";
import { ClientErrorCode, type QueueOverflowError } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, recordingWebSocket } from "./helpers.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const note = (n: number, target = "Reader") => ({ type: "note", data: n, target: [target] });

it("queues frames written before the identify and sends them in order right after it", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const { client: wsc, events } = client(server, room, "Writer", { autoConnect: false });
  expect([1, 2, 3].map((n) => wsc.writeToSocket(note(n)))).toEqual(["queued", "queued", "queued"]);
  expect(wsc.queuedFrames).toBe(3);
  wsc.connectToSocket();
  expect(wsc.writeToSocket(note(4))).toBe("queued");
  await events.identifiedTimes(1);
  expect(wsc.queuedFrames).toBe(0);
  expect(wsc.writeToSocket(note(5))).toBe("sent");
  const frames = await reader.take(5);
  expect(frames.map((f) => [f.from, f.data])).toEqual([
    ["Writer", 1],
    ["Writer", 2],
    ["Writer", 3],
    ["Writer", 4],
    ["Writer", 5],
  ]);
  wsc.close();
  reader.socket.close();
});

it("sends strings as they are, with an id added when they have none", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Raw", { WebSocket: recording.WebSocket });
  await events.identifiedTimes(1);
  const texts = [
    '{ "type":"note", "data":"as is", "target":"Reader" }  ',
    '{"type":"note","data":"own id","target":"Reader","id":"mine"}',
    "[1, 2]",
  ];
  for (const text of texts) {
    expect(wsc.writeToSocket(text)).toBe("sent");
    // One frame per tick: each goes out alone.
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(recording.sent.slice(1)).toEqual([
    '{ "type":"note", "data":"as is", "target":"Reader" ,"id":1}',
    '{"type":"note","data":"own id","target":"Reader","id":"mine"}',
    "[1, 2]",
  ]);
  expect(await reader.take(2)).toEqual([
    { type: "note", data: "as is", target: ["Reader"], from: "Raw", id: 1 },
    { type: "note", data: "own id", target: ["Reader"], from: "Raw", id: "mine" },
  ]);
  // The relay refused the array; its error is for the sender only.
  expect((await events.until(() => events.relayErrors[0], "the refusal")).relayCode).toBe(
    "NOT_AN_OBJECT",
  );
  wsc.close();
  reader.socket.close();
});

it("drops the newest frame past the count bound, says so, and keeps the queue intact", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const { client: wsc, events } = client(server, room, "Chatty", {
    autoConnect: false,
    maxQueuedFrames: 3,
  });
  const results = [1, 2, 3, 4, 5].map((n) => wsc.writeToSocket(note(n)));
  expect(results).toEqual(["queued", "queued", "queued", "dropped", "dropped"]);
  const overflow = events.errors.filter((e) => e.code === ClientErrorCode.queueOverflow);
  expect(overflow).toHaveLength(2);
  expect(overflow[0]?.message).toMatch(/the send queue is full \(3 frames queued\)/);
  expect(JSON.parse((overflow[0] as QueueOverflowError).frame)).toEqual(note(4));
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  expect((await reader.take(3)).map((f) => f.data)).toEqual([1, 2, 3]);
  wsc.close();
  reader.socket.close();
});

it("drops a frame past the byte bound, and still takes a smaller one", () => {
  const { client: wsc, events } = client(server, freshRoom(), "Bulky", {
    autoConnect: false,
    maxQueuedBytes: 100,
  });
  expect(wsc.writeToSocket("x".repeat(60))).toBe("queued");
  expect(wsc.writeToSocket("y".repeat(60))).toBe("dropped");
  expect(wsc.writeToSocket("z".repeat(40))).toBe("queued");
  expect(events.errors.map((e) => e.code)).toEqual([ClientErrorCode.queueOverflow]);
  expect(events.errors[0]?.message).toMatch(/60 of 100 bytes queued, the frame has 60/);
});

it("close() discards the queue and later writes are dropped until connectToSocket", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const { client: wsc, events } = client(server, room, "Closer", { autoConnect: false });
  wsc.writeToSocket(note(1));
  wsc.writeToSocket(note(2));
  expect(wsc.close()).toBe(2);
  expect(wsc.queuedFrames).toBe(0);
  expect(wsc.writeToSocket(note(3))).toBe("dropped");
  expect(events.errors.map((e) => e.code)).toEqual([ClientErrorCode.clientClosed]);
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  expect(wsc.writeToSocket(note(4))).toBe("sent");
  expect((await reader.next()).data).toBe(4);
  wsc.close();
  reader.socket.close();
});

import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ClientError,
  ClientErrorCode,
  type DroppedFramesError,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const note = (n: number, target = "Reader") => ({ type: "note", data: n, target: [target] });

/** The `data` of the frames each `CLIENT_CLOSED` error reports, error by error. */
const droppedData = (errors: readonly ClientError[]): unknown[][] =>
  errors
    .filter((error): error is DroppedFramesError => error.code === ClientErrorCode.clientClosed)
    .map((error) => error.frames.map((frame) => JSON.parse(frame).data));

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
  const sid = wsc.streamId;
  expect(recording.sent.slice(1)).toEqual([
    `{ "type":"note", "data":"as is", "target":"Reader" ,"id":1,"sid":"${sid}","seq":1}`,
    `{"type":"note","data":"own id","target":"Reader","id":"mine","sid":"${sid}","seq":2}`,
    "[1, 2]",
  ]);
  expect(await reader.take(2)).toEqual([
    { type: "note", data: "as is", target: ["Reader"], from: "Raw", id: 1, sid, seq: 1 },
    { type: "note", data: "own id", target: ["Reader"], from: "Raw", id: "mine", sid, seq: 2 },
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
  expect(JSON.parse((overflow[0] as DroppedFramesError).frame)).toEqual(note(4));
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
  // What the queue held, then the frame written after: each reported with its text.
  expect(events.errors.map((e) => e.code)).toEqual([
    ClientErrorCode.clientClosed,
    ClientErrorCode.clientClosed,
  ]);
  expect(droppedData(events.errors)).toEqual([[1, 2], [3]]);
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  expect(wsc.writeToSocket(note(4))).toBe("sent");
  expect((await reader.next()).data).toBe(4);
  wsc.close();
  reader.socket.close();
});

it("after a fatal close, reports what the queue held and drops every later frame", async () => {
  const room = freshRoom();
  const holder = client(server, room, "Twin");
  await holder.events.identifiedTimes(1);
  const { client: wsc, events } = client(server, room, "Twin", { autoConnect: false });
  expect([1, 2].map((n) => wsc.writeToSocket(note(n)))).toEqual(["queued", "queued"]);
  wsc.connectToSocket();
  await events.until(() => events.closes.length === 1, "the close");
  expect(events.closes[0]).toMatchObject({ code: 4009, reconnecting: false });
  expect(wsc.state).toBe("closed");
  expect(wsc.queuedFrames).toBe(0);
  // The fatal close, then what the queue held, before the close hooks ran.
  expect(events.errors.map((e) => e.code)).toEqual([
    ClientErrorCode.relayError,
    ClientErrorCode.fatalClose,
    ClientErrorCode.clientClosed,
  ]);
  expect(droppedData(events.errors)).toEqual([[1, 2]]);
  expect(events.errors[2]?.message).toMatch(/4009/);
  expect(wsc.writeToSocket(note(3))).toBe("dropped");
  expect(wsc.queuedFrames).toBe(0);
  expect(droppedData(events.errors)).toEqual([[1, 2], [3]]);
  holder.client.close();
});

it("with reconnect off, reports what the queue held and drops every later frame", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    // Turned off while a reconnect is pending: the queue will never go out.
    const later = client(proxy.url, room, "Later", {
      reconnectBaseDelay: 60_000,
      reconnectMaxDelay: 60_000,
    });
    // Off from the start: the first close is final.
    const off = client(proxy.url, room, "Off", { reconnect: false });
    await later.events.identifiedTimes(1);
    await off.events.identifiedTimes(1);
    proxy.dropAll();
    await later.events.until(() => later.client.state === "reconnecting", "the pending reconnect");
    expect(later.client.writeToSocket(note(1))).toBe("queued");
    expect(later.client.writeToSocket(note(2))).toBe("queued");
    later.client.reconnect = false;
    expect(later.client.state).toBe("closed");
    expect(later.client.queuedFrames).toBe(0);
    expect(droppedData(later.events.errors)).toEqual([[1, 2]]);
    expect(later.client.writeToSocket(note(3))).toBe("dropped");
    expect(droppedData(later.events.errors)).toEqual([[1, 2], [3]]);

    await off.events.until(() => off.events.closes.length === 1, "the close");
    expect(off.client.state).toBe("closed");
    expect(off.client.writeToSocket(note(4))).toBe("dropped");
    expect(off.client.queuedFrames).toBe(0);
    expect(droppedData(off.events.errors)).toEqual([[4]]);
    expect(off.events.errors.at(-1)?.message).toMatch(/reconnect is off/);
  } finally {
    await proxy.close();
  }
});

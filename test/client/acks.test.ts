/**
 * Acks (capability `acks`): every frame or batch carries an id, the relay's acks confirm what
 * it took, and what a closed connection never confirmed is reported, not resent (without
 * `delivery`; with it, see delivery.test.ts).
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { ClientErrorCode, type UnconfirmedError } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import type { Frame } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, eventually, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const note = (n: number, extra: object = {}) => ({
  type: "note",
  data: n,
  target: "Reader",
  ...extra,
});
/** The default capabilities but `delivery`, with which unconfirmed frames are sent again. */
const AT_MOST_ONCE = ["errors", "undelivered", "resume", "heartbeat", "batch", "acks"] as const;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const dataOf = (error: UnconfirmedError | undefined): unknown[] =>
  (error?.frames ?? []).map((text) => (JSON.parse(text) as Frame).data);

it("keeps what it sent until the relay acks it; the caller's own id is kept and peers see ids", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader");
  const { client: wsc, events } = client(server, room, "Acked");
  await events.identifiedTimes(1);
  wsc.writeToSocket(note(1, { id: "mine" }));
  await tick();
  for (const n of [2, 3, 4]) wsc.writeToSocket(note(n));
  expect(wsc.unconfirmedFrames).toBe(1);
  await tick();
  expect(wsc.unconfirmedFrames).toBe(4);
  expect((await reader.take(4)).map((f) => f.id)).toEqual(["mine", 1, 2, 3]);
  await eventually(() => wsc.unconfirmedFrames === 0, "the acks");
  wsc.close();
  await events.until(() => events.closes.length === 1, "the close");
  expect(events.unconfirmed).toEqual([]);
  reader.socket.close();
});

it("reports the frames a closed connection never confirmed, and does not resend them", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const reader = await join(server, room, "Reader");
    const recording = recordingWebSocket();
    const { client: wsc, events } = client(proxy.url, room, "Cut", {
      WebSocket: recording.WebSocket,
      capabilities: AT_MOST_ONCE,
    });
    await events.identifiedTimes(1);
    wsc.writeToSocket(note(1));
    expect((await reader.next()).data).toBe(1);
    await eventually(() => wsc.unconfirmedFrames === 0, "the first ack");
    // The next frames never reach the relay.
    const connection = await proxy.connection(0);
    connection.stall("toRelay");
    expect([2, 3].map((n) => wsc.writeToSocket(note(n)))).toEqual(["sent", "sent"]);
    await tick();
    wsc.writeToSocket(note(4, { id: "four" }));
    await tick();
    expect(wsc.unconfirmedFrames).toBe(3);
    connection.cut();
    const error = await events.error(ClientErrorCode.unconfirmed);
    expect(error).toBe(events.unconfirmed[0]);
    expect(events.unconfirmed).toHaveLength(1);
    expect(events.unconfirmed[0]).toMatchObject({ untracked: 0, url: `${proxy.url}/${room}` });
    expect(dataOf(events.unconfirmed[0])).toEqual([2, 3, 4]);
    expect((events.unconfirmed[0]?.frames ?? []).map((t) => (JSON.parse(t) as Frame).id)).toEqual([
      2,
      3,
      "four",
    ]);
    // The close follows the report; the client reconnects and sends only what comes next.
    expect(events.closes[0]?.reconnecting).toBe(true);
    await events.identifiedTimes(2);
    wsc.writeToSocket(note(5));
    expect((await reader.next()).data).toBe(5);
    const resent = recording.sent.filter((text) => text.includes('"data":2'));
    expect(resent).toHaveLength(1);
    expect(wsc.unconfirmedFrames).toBeLessThanOrEqual(1);
    wsc.close();
    reader.socket.close();
  } finally {
    await proxy.close();
  }
});

it("bounds what it keeps: past maxUnconfirmedFrames the oldest texts are only counted", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const reader = await join(server, room, "Reader");
    const { client: wsc, events } = client(proxy.url, room, "Bounded", {
      maxUnconfirmedFrames: 4,
      batch: false,
      capabilities: AT_MOST_ONCE,
    });
    await events.identifiedTimes(1);
    const connection = await proxy.connection(0);
    // Six frames held back on their way: four texts kept, two counted.
    connection.stall("toRelay");
    for (let n = 1; n <= 6; n++) wsc.writeToSocket(note(n));
    expect(wsc.unconfirmedFrames).toBe(6);
    // They arrive after all: the relay's ack confirms every one, no false alarm.
    connection.resume();
    expect((await reader.take(6)).map((f) => f.data)).toEqual([1, 2, 3, 4, 5, 6]);
    await eventually(() => wsc.unconfirmedFrames === 0, "the acks");
    expect(events.errors).toEqual([]);
    // Six more that never arrive: the report has the four texts kept and counts the rest.
    connection.stall("toRelay");
    for (let n = 7; n <= 12; n++) wsc.writeToSocket(note(n));
    connection.cut();
    const error = await events.error(ClientErrorCode.unconfirmed);
    expect(events.unconfirmed).toEqual([error]);
    expect(dataOf(events.unconfirmed[0])).toEqual([9, 10, 11, 12]);
    expect(events.unconfirmed[0]?.untracked).toBe(2);
    expect(error.message).toMatch(/^6 frame\(s\) \(2 of them no longer kept\) sent to /);
    wsc.close();
    reader.socket.close();
  } finally {
    await proxy.close();
  }
});

it("adds no id and reports nothing without the acks capability", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const recording = recordingWebSocket();
    const { client: wsc, events } = client(proxy.url, room, "NoAcks", {
      WebSocket: recording.WebSocket,
      capabilities: ["errors", "batch"],
    });
    await events.identifiedTimes(1);
    (await proxy.connection(0)).stall("toRelay");
    const before = recording.sent.length;
    wsc.writeToSocket(note(1));
    wsc.writeToSocket(note(2));
    await tick();
    expect(recording.sent.slice(before)).toEqual([
      `{"type":"batch","data":[${JSON.stringify(note(1))},${JSON.stringify(note(2))}],"target":["server"]}`,
    ]);
    expect(wsc.unconfirmedFrames).toBe(0);
    proxy.dropAll();
    await events.until(() => events.closes.length === 1, "the close");
    expect(events.unconfirmed).toEqual([]);
    wsc.close();
  } finally {
    await proxy.close();
  }
});

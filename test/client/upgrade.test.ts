/**
 * A refused upgrade: the relay answers the WebSocket request with an HTTP status. With `ws`
 * (Node) the client sees the status: 400, 401, 403 and 404 are final, others are retried.
 * Node's global WebSocket, like a browser's, never shows it: a plain connection failure.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { ClientErrorCode, type WebSocketConstructor } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, open, startRelay } from "../support/relay.js";
import { client, recordingWebSocket } from "../support/sdk-client.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay({ allowedOrigins: ["https://app.example"] });
});
afterAll(() => server.close());

/** Expects `room` to be refused with `status` for good: one attempt, one error, closed. */
async function refusedForGood(
  room: string,
  status: number,
  WebSocketClass?: WebSocketConstructor,
): Promise<void> {
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Refused", {
    WebSocket: WebSocketClass ?? recording.WebSocket,
  });
  const error = await events.error(ClientErrorCode.upgradeRefused);
  expect(error).toMatchObject({ status, fatal: true, url: `${server.wsAddress}/${room}` });
  expect(error.message).toMatch(new RegExp(`HTTP ${status} \\(".+"\\); not reconnecting$`));
  await events.until(() => events.closes.length === 1, "the close");
  expect(events.closes[0]).toMatchObject({ code: 1006, reconnecting: false });
  expect(wsc.state).toBe("closed");
  expect(events.errors.map((e) => e.code)).toEqual([ClientErrorCode.upgradeRefused]);
  if (WebSocketClass === undefined) expect(recording.sockets).toHaveLength(1);
}

it("gives up after 400: a bad room name", async () => {
  await refusedForGood("x".repeat(65), 400);
});

it("gives up after 403: an Origin the relay does not allow", async () => {
  class FromElsewhere extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin: "https://elsewhere.example" });
    }
  }
  await refusedForGood(freshRoom(), 403, FromElsewhere);
});

it("gives up after 404: a path that is no room", async () => {
  await refusedForGood("_nothing-here", 404);
});

it("retries after 429 (too many sockets not identified yet) and gets in once there is room", async () => {
  const crowded = await startRelay({ limits: { maxUnidentified: 1 } });
  try {
    const room = freshRoom();
    const lurker = await open(crowded, room);
    const { client: wsc, events } = client(crowded, room, "Patient");
    const error = await events.error(ClientErrorCode.upgradeRefused);
    expect(error).toMatchObject({ status: 429, fatal: false });
    expect(error.message).toMatch(/HTTP 429 \(".+"\); reconnecting$/);
    await events.until(() => events.closes.length >= 1, "the close");
    expect(events.closes[0]?.reconnecting).toBe(true);
    lurker.socket.close();
    await events.identifiedTimes(1);
    wsc.close();
  } finally {
    await crowded.close();
  }
});

it("cannot see the status through Node's global WebSocket: a connection error, then retries", async () => {
  // That WebSocket also never reports the close of a refused upgrade: the client does.
  const key = { id: "k1", secret: "a-test-secret-of-at-least-32-bytes!" };
  const guarded = await startRelay({ roomPolicy: "token", tokenKeys: { [key.id]: key.secret } });
  try {
    const { client: wsc, events } = client(guarded, freshRoom(), "Blind", {
      WebSocket: globalThis.WebSocket,
    });
    await events.error(ClientErrorCode.connectionError);
    await events.until(() => events.closes.length >= 2, "a second failed attempt");
    expect(events.closes.every((close) => close.reconnecting)).toBe(true);
    expect(events.errors.some((e) => e.code === ClientErrorCode.upgradeRefused)).toBe(false);
    wsc.close();
  } finally {
    await guarded.close();
  }
});

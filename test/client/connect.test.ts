import { afterAll, beforeAll, expect, it } from "vitest";
import { mintToken } from "../../src/auth/token.js";
import { WebSocketClient as UniversalClient } from "../../src/client/index.js";
import { ClientErrorCode, WebSocketClient } from "../../src/client/node.js";
import { DEFAULT_CAPABILITIES } from "../../src/client/options.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, open, startRelay } from "../support/relay.js";
import {
  client,
  Recorder,
  recordingWebSocket,
  SDK_DEFAULT_CAPABILITIES,
} from "../support/sdk-client.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

it("connects at once with a host, identifies and asks for the extension frames", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "Player1");
  expect(wsc.state).toBe("connecting");
  const info = await events.identifiedTimes(1);
  expect(info.name).toBe("Player1");
  expect(info.capabilities).toEqual([...DEFAULT_CAPABILITIES]);
  expect(wsc.state).toBe("identified");
  expect(wsc.capabilities).toEqual(info.capabilities);
  expect(events.opens).toHaveLength(1);
  wsc.close();
});

it("connects from the constructor when autoConnect is left at its default", async () => {
  const events = new Recorder();
  const wsc = new WebSocketClient("Auto", { host: `${server.wsAddress}/${freshRoom()}` });
  events.attach(wsc);
  expect(wsc.state).toBe("connecting");
  await events.identifiedTimes(1);
  wsc.close();
});

it("waits for connectToSocket with autoConnect off, or without a host", async () => {
  const room = freshRoom();
  const { client: off, events } = client(server, room, "Later", { autoConnect: false });
  const noHost = new WebSocketClient("NoHost");
  expect(off.state).toBe("idle");
  expect(noHost.state).toBe("idle");
  expect(() => noHost.connectToSocket()).toThrow(TypeError);
  off.connectToSocket();
  await events.identifiedTimes(1);

  const later = new Recorder();
  later.attach(noHost);
  noHost.connectToSocket(`${server.wsAddress}/${room}`);
  await later.identifiedTimes(1);
  expect(noHost.url).toBe(`${server.wsAddress}/${room}`);
  off.close();
  noHost.close();
});

it("stores set_time's time: the room's epoch, the same for every client", async () => {
  const room = freshRoom();
  const peer = await open(server, room);
  const [, setTime] = await peer.take(2);
  const epoch = (setTime?.data as { kwargs?: { time?: number } } | undefined)?.kwargs?.time;
  expect(typeof epoch).toBe("number");
  const { client: wsc, events } = client(server, room, "Clock");
  expect(wsc.time).toBeUndefined();
  await events.identifiedTimes(1);
  expect(wsc.time).toBe(epoch);
  expect(events.identified[0]?.time).toBe(epoch);
  wsc.close();
  peer.socket.close();
});

it("sends nothing before the identify: the identify is the first frame on every socket", async () => {
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, freshRoom(), "Careful", {
    WebSocket: recording.WebSocket,
    autoConnect: false,
  });
  expect(wsc.writeToSocket({ type: "note", data: 1, target: "Careful" })).toBe("queued");
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  const first = JSON.parse(recording.sent[0] ?? "null");
  expect(first).toMatchObject({
    type: "cmd",
    data: {
      cmd: "indentify",
      kwargs: {
        name: "Careful",
        capabilities: [...SDK_DEFAULT_CAPABILITIES],
      },
    },
    target: ["server"],
  });
  // The queued frame went out next, with the id the relay acks it by and its stream number.
  expect(recording.sent.slice(1)).toEqual([
    `{"type":"note","data":1,"target":"Careful","id":1,"sid":"${wsc.streamId}","seq":1}`,
  ]);
  // The relay answered the identify at once; it never had to repeat its handshake.
  expect(
    events.messages.filter((m) => (m.data as { cmd?: string } | undefined)?.cmd === "indentify"),
  ).toHaveLength(1);
  wsc.close();
});

it("counts itself identified once the identify is sent when it asks for no capabilities", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "Seedlike", { capabilities: [] });
  const info = await events.identifiedTimes(1);
  expect(info.capabilities).toEqual([]);
  expect(wsc.capabilities).toEqual([]);
  wsc.close();
});

it("sends the password and is refused for good with a wrong one (no reconnect)", async () => {
  const guarded = await startRelay({ password: "s3cret" });
  try {
    const room = freshRoom();
    const good = client(guarded, room, "Good", { password: "s3cret" });
    await good.events.identifiedTimes(1);

    const bad = client(guarded, room, "Bad", { password: "wrong" });
    const fatal = await bad.events.error(ClientErrorCode.fatalClose);
    expect(fatal).toMatchObject({ closeCode: 4001 });
    expect(bad.events.relayErrors.map((e) => e.relayCode)).toContain("BAD_PASSWORD");
    await bad.events.until(() => bad.events.closes.length > 0, "the close");
    expect(bad.events.closes[0]).toMatchObject({ code: 4001, reconnecting: false });
    expect(bad.client.state).toBe("closed");
    expect(bad.events.identified).toHaveLength(0);
    good.client.close();
  } finally {
    await guarded.close();
  }
});

it("takes an injected WebSocket class: Node 22's global WebSocket", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "Undici", {
    WebSocket: globalThis.WebSocket,
  });
  await events.identifiedTimes(1);
  wsc.close();
});

it("the universal build uses the runtime's global WebSocket (Node 22 has one)", async () => {
  const events = new Recorder();
  const wsc = new UniversalClient("Global", { host: `${server.wsAddress}/${freshRoom()}` });
  events.attach(wsc);
  await events.identifiedTimes(1);
  wsc.close();
});

it("throws at once for a caller's mistakes", () => {
  expect(() => new WebSocketClient("server")).toThrow(/reserved/);
  expect(() => new WebSocketClient("")).toThrow(TypeError);
  expect(() => new WebSocketClient("ok", { reconnectBaseDelay: -1 })).toThrow(RangeError);
  expect(
    () => new WebSocketClient("ok", { reconnectBaseDelay: 100, reconnectMaxDelay: 10 }),
  ).toThrow(RangeError);
  expect(() => new WebSocketClient("ok", { maxQueuedFrames: 1.5 })).toThrow(RangeError);
  expect(() => new WebSocketClient("ok", { host: "not a url" })).toThrow();
  const wsc = new WebSocketClient("ok");
  expect(() => wsc.close(1001)).toThrow(RangeError);
  const circular: { self?: unknown } = {};
  circular.self = circular;
  expect(() => wsc.writeToSocket(circular)).toThrow(TypeError);
  expect(() => wsc.addMessageType("cmd", () => {})).toThrow(TypeError);
});

it("offers a token as the wscomsrv.token subprotocol in a room that needs one", async () => {
  const key = { id: "k1", secret: "a-test-secret-of-at-least-32-bytes!" };
  const guarded = await startRelay({ roomPolicy: "token", tokenKeys: { [key.id]: key.secret } });
  try {
    const room = freshRoom();
    const token = await mintToken({ room, name: "Badge", ttlSeconds: 60 }, key);
    const recording = recordingWebSocket();
    const badge = client(guarded, room, "Badge", { token, WebSocket: recording.WebSocket });
    await badge.events.identifiedTimes(1);
    expect(recording.sockets[0]?.protocol).toBe("wscomsrv");
    // Without a token the relay refuses the upgrade with 401: final, no retries.
    const strangers = recordingWebSocket();
    const stranger = client(guarded, room, "Stranger", { WebSocket: strangers.WebSocket });
    const refused = await stranger.events.error(ClientErrorCode.upgradeRefused);
    expect(refused).toMatchObject({ status: 401, fatal: true });
    await stranger.events.until(() => stranger.events.closes.length === 1, "the close");
    expect(stranger.events.closes[0]).toMatchObject({ code: 1006, reconnecting: false });
    expect(stranger.client.state).toBe("closed");
    expect(stranger.events.errors.map((e) => e.code)).toEqual([ClientErrorCode.upgradeRefused]);
    expect(strangers.sockets).toHaveLength(1);
    expect(stranger.events.identified).toHaveLength(0);
    badge.client.close();
  } finally {
    await guarded.close();
  }
});

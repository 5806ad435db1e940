import { afterAll, beforeAll, expect, it } from "vitest";
import { backoffCeiling } from "../../src/client/backoff.js";
import { ClientErrorCode, type Json } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import {
  client,
  eventually,
  FAST,
  recordingWebSocket,
  SDK_DEFAULT_CAPABILITIES,
} from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const backoff = { baseDelay: FAST.reconnectBaseDelay ?? 0, maxDelay: FAST.reconnectMaxDelay ?? 0 };

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

it("reconnects after the relay drops the socket, re-identifies and sends the queue in order", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const reader = await join(server, room, "Reader");
    const recording = recordingWebSocket();
    const { client: wsc, events } = client(proxy.url, room, "Mobile", {
      WebSocket: recording.WebSocket,
    });
    await events.identifiedTimes(1);

    for (const round of [1, 2]) {
      proxy.dropAll();
      await events.until(() => events.closes.length === round, `drop ${round}`);
      const closed = events.closes[round - 1];
      expect(closed).toMatchObject({ code: 1006, reconnecting: true });
      // The attempt count starts again from 0 after every identify.
      expect(closed?.delay).toBeLessThanOrEqual(backoffCeiling(0, backoff));
      expect(wsc.state).toBe("reconnecting");
      const written = [1, 2, 3].map((n) =>
        wsc.writeToSocket({ type: "note", data: round * 10 + n, target: "Reader" }),
      );
      expect(written).toEqual(["queued", "queued", "queued"]);
      await events.identifiedTimes(round + 1);
      expect((await reader.take(3)).map((f) => [f.from, f.data])).toEqual([
        ["Mobile", round * 10 + 1],
        ["Mobile", round * 10 + 2],
        ["Mobile", round * 10 + 3],
      ]);
      // Acked before the next drop: with delivery, unacked frames would be sent again.
      await eventually(() => wsc.unconfirmedFrames === 0, `the acks of round ${round}`);
    }
    expect(recording.sockets).toHaveLength(3);
    // Every socket identified first; the re-identifies presented the resume secret.
    const identifies = recording.sent
      .map((text) => JSON.parse(text) as { data?: { cmd?: string; kwargs?: Record<string, Json> } })
      .filter((frame) => frame.data?.cmd === "indentify");
    expect(identifies).toHaveLength(3);
    expect(identifies[0]?.data?.kwargs?.resume).toBeUndefined();
    expect(typeof identifies[1]?.data?.kwargs?.resume).toBe("string");
    // Each identify got a fresh secret; the client presents the latest.
    expect(typeof identifies[2]?.data?.kwargs?.resume).toBe("string");
    expect(identifies[2]?.data?.kwargs?.resume).not.toBe(identifies[1]?.data?.kwargs?.resume);
    wsc.close();
    reader.socket.close();
  } finally {
    await proxy.close();
  }
});

it("reconnects after the relay restarts on the same port, with growing delays", async () => {
  const first = await startRelay();
  const room = freshRoom();
  const { client: wsc, events } = client(first, room, "Survivor");
  const seen: Json[] = [];
  wsc.addMessageType("seq", (data) => {
    seen.push(data ?? null);
    events.wake();
  });
  const before = await events.identifiedTimes(1);
  const port = first.port;
  await first.close();
  // Failed attempts may follow the close before close() resolves: count at least one.
  await events.until(() => events.closes.length >= 1, "the close");
  expect(events.closes[0]?.reconnecting).toBe(true);
  // Frames to itself: they can only come back once the client is identified again.
  const written = [1, 2, 3, 4].map((n) =>
    wsc.writeToSocket({ type: "seq", data: n, target: "Survivor" }),
  );
  expect(written).toEqual(["queued", "queued", "queued", "queued"]);
  // Let a few attempts fail against the closed port.
  await events.until(() => events.closes.length >= 4, "three failed attempts", 10_000);
  expect(events.errors.some((e) => e.code === ClientErrorCode.connectionError)).toBe(true);
  const second = await startRelay({ port });
  try {
    const after = await events.identifiedTimes(2, 10_000);
    expect(after.name).toBe("Survivor");
    expect(wsc.time).toBe(after.time);
    expect(after.time).not.toBe(before.time);
    await events.until(() => seen.length === 4, "the queued frames");
    expect(seen).toEqual([1, 2, 3, 4]);
    events.closes.forEach((close, attempt) => {
      expect(close.reconnecting).toBe(true);
      expect(close.delay).toBeLessThanOrEqual(backoffCeiling(attempt, backoff));
    });
    wsc.close();
  } finally {
    await second.close();
  }
});

it("does not reconnect after close()", async () => {
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, freshRoom(), "Leaver", {
    WebSocket: recording.WebSocket,
  });
  await events.identifiedTimes(1);
  wsc.close(4000, "bye");
  expect(wsc.state).toBe("closed");
  await events.until(() => events.closes.length === 1, "the close");
  expect(events.closes[0]).toMatchObject({ code: 4000, reconnecting: false });
  expect(wsc.state).toBe("closed");
  expect(recording.sockets).toHaveLength(1);
  // A close() while a reconnect is pending cancels it.
  const proxy = await TcpProxy.start(server);
  try {
    const other = client(proxy.url, freshRoom(), "Pending", {
      reconnectBaseDelay: 60_000,
      reconnectMaxDelay: 60_000,
    });
    await other.events.identifiedTimes(1);
    proxy.dropAll();
    await other.events.until(() => other.client.state === "reconnecting", "the pending reconnect");
    other.client.close();
    expect(other.client.state).toBe("closed");
    expect(other.events.closes).toHaveLength(1);
  } finally {
    await proxy.close();
  }
});

it("does not reconnect after a fatal close code: the name is taken", async () => {
  const room = freshRoom();
  const holder = client(server, room, "Twin");
  await holder.events.identifiedTimes(1);
  const recording = recordingWebSocket();
  const twin = client(server, room, "Twin", { WebSocket: recording.WebSocket });
  const fatal = await twin.events.error(ClientErrorCode.fatalClose);
  expect(fatal).toMatchObject({ closeCode: 4009 });
  expect(twin.events.relayErrors.map((e) => e.relayCode)).toEqual(["NAME_TAKEN"]);
  await twin.events.until(() => twin.events.closes.length === 1, "the close");
  expect(twin.events.closes[0]).toMatchObject({ code: 4009, reconnecting: false });
  expect(twin.client.state).toBe("closed");
  expect(recording.sockets).toHaveLength(1);
  expect(holder.client.state).toBe("identified");
  holder.client.close();
});

it("does not reconnect with reconnect = false; setting it cancels a pending reconnect", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const off = client(proxy.url, room, "Off", { reconnect: false });
    expect(off.client.reconnect).toBe(false);
    const later = client(proxy.url, room, "Later", {
      reconnectBaseDelay: 60_000,
      reconnectMaxDelay: 60_000,
    });
    await off.events.identifiedTimes(1);
    await later.events.identifiedTimes(1);
    proxy.dropAll();
    await off.events.until(() => off.events.closes.length === 1, "the close");
    expect(off.events.closes[0]?.reconnecting).toBe(false);
    expect(off.client.state).toBe("closed");
    await later.events.until(() => later.client.state === "reconnecting", "the pending reconnect");
    later.client.reconnect = false;
    expect(later.client.state).toBe("closed");
  } finally {
    await proxy.close();
  }
});

it("drops a connection that stops answering heartbeats, reconnects and takes its name back", async () => {
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  try {
    const reader = await join(server, room, "Reader");
    const { client: wsc, events } = client(proxy.url, room, "Tunnel", { heartbeatInterval: 50 });
    await events.identifiedTimes(1);
    expect(wsc.capabilities).toContain("heartbeat");
    // The network goes silent: nothing is closed, nothing arrives.
    proxy.blackhole();
    await events.until(() => events.closes.length === 1, "the heartbeat timeout");
    expect(events.closes[0]).toMatchObject({ code: 4011, reconnecting: true });
    expect(wsc.writeToSocket({ type: "note", data: "back", target: "Reader" })).toBe("queued");
    // The relay still holds the old socket under the name: the resume secret takes it back.
    await events.identifiedTimes(2);
    expect(events.relayErrors).toEqual([]);
    expect(await reader.next()).toMatchObject({ from: "Tunnel", data: "back" });
    wsc.close();
    reader.socket.close();
  } finally {
    await proxy.close();
  }
});

it("sends no heartbeat with heartbeatInterval 0, and does not ask for the capability", async () => {
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, freshRoom(), "NoBeat", {
    heartbeatInterval: 0,
    WebSocket: recording.WebSocket,
  });
  const info = await events.identifiedTimes(1);
  expect(info.capabilities).toEqual(
    SDK_DEFAULT_CAPABILITIES.filter((capability) => capability !== "heartbeat"),
  );
  expect(recording.sent.some((text) => text.includes("heartbeat"))).toBe(false);
  wsc.close();
});

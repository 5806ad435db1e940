import { afterAll, describe, expect, it } from "vitest";
import {
  type ClientOptions,
  type ClockEstimate,
  commandMessage,
  type JsonObject,
  type WebSocketClient,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, relayForFile } from "../support/relay.js";
import { client, type Recorder, recordingWebSocket } from "../support/sdk-client.js";
import { commandOf } from "../support/session.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const relay = relayForFile();

const open: WebSocketClient[] = [];
const proxies: TcpProxy[] = [];
afterAll(async () => {
  for (const wsc of open) wsc.close();
  for (const proxy of proxies) await proxy.close();
});

/**
 * How far the client's clock is off: minutes behind, and not a whole number of milliseconds.
 * The relay runs on this machine, so the truth is that the relay's clock is `Date.now()`:
 * the true offset is `-SKEW`.
 */
const SKEW = -(3 * 60_000 + 27_456.25);

/** A local clock `SKEW` off (and `extra()` more). */
function skewed(extra: () => number = () => 0): () => number {
  return () => Date.now() + SKEW + extra();
}

/** How far the client's estimate of the relay's clock is from the truth, in ms. */
function error(wsc: WebSocketClient): number {
  expect(wsc.clockOffset).toBeTypeOf("number");
  return Math.abs((wsc.clockOffset ?? Number.NaN) - -SKEW);
}

/** An identified SDK client of `room`, with its `clock` events recorded, closed after the file. */
async function member(
  room: string,
  name: string,
  options: ClientOptions = {},
  base: SocketServer | string = relay(),
): Promise<{ client: WebSocketClient; events: Recorder; estimates: ClockEstimate[] }> {
  const made = client(base, room, name, options);
  open.push(made.client);
  const estimates: ClockEstimate[] = [];
  made.client.on("clock", (estimate) => {
    estimates.push(estimate);
    made.events.wake();
  });
  await made.events.identifiedTimes(1);
  return { ...made, estimates };
}

/** Waits until the client holds `count` samples of the relay's clock. */
async function samples(wsc: WebSocketClient, count = 5): Promise<void> {
  await expect
    .poll(() => wsc.clockSamples, { timeout: 5_000, interval: 10 })
    .toBeGreaterThanOrEqual(count);
}

describe("the relay's clock", () => {
  it("estimates a client clock minutes off to within 5 ms on loopback", async () => {
    const {
      client: wsc,
      events,
      estimates,
    } = await member(freshRoom(), "Scope", {
      now: skewed(),
    });
    await events.until(() => estimates.length > 0, "a clock event");
    expect(estimates[0]).toEqual({
      offset: wsc.clockOffset,
      rtt: wsc.clockRtt,
      bound: wsc.clockBound,
    });
    await samples(wsc);
    expect(error(wsc)).toBeLessThanOrEqual(5);
    expect(error(wsc)).toBeLessThanOrEqual(wsc.clockBound ?? 0);
    expect(wsc.clockBound).toBe((wsc.clockRtt ?? Number.NaN) / 2 + 1.5);
    expect(Math.abs(wsc.serverNow() - Date.now())).toBeLessThanOrEqual(5);
  });

  it("stays within its own bound when one way is 40 ms slower than the other", async () => {
    const proxy = await TcpProxy.start(relay(), { toRelay: 40, toClient: 0 });
    proxies.push(proxy);
    const {
      client: wsc,
      events,
      estimates,
    } = await member(freshRoom(), "Far", { now: skewed() }, proxy.url);
    await events.until(() => estimates.length > 0, "a clock event");
    expect(error(wsc)).toBeLessThanOrEqual(wsc.clockBound ?? 0);
    await samples(wsc);
    expect(wsc.clockRtt).toBeGreaterThanOrEqual(40);
    expect(error(wsc)).toBeLessThanOrEqual(wsc.clockBound ?? 0);
    // All the delay is on the way there: the estimate is off by about half of it, as any
    // estimate from round trips must be, and the bound says so.
    expect(error(wsc)).toBeGreaterThanOrEqual(10);
  });

  it("follows a local clock that jumped, at the next samples, with a clock event", async () => {
    let jump = 0;
    const proxy = await TcpProxy.start(relay());
    proxies.push(proxy);
    const {
      client: wsc,
      events,
      estimates,
    } = await member(freshRoom(), "Jumpy", { now: skewed(() => jump) }, proxy.url);
    await samples(wsc);
    const told = estimates.length;
    jump = 60_000; // the local clock is set a minute ahead
    proxy.dropAll(); // the reconnect samples again
    await events.identifiedTimes(2);
    await events.until(() => estimates.length > told, "a clock event after the jump");
    expect(Math.abs((wsc.clockOffset ?? Number.NaN) - (-SKEW - jump))).toBeLessThanOrEqual(
      wsc.clockBound ?? 0,
    );
    expect(Math.abs(wsc.serverNow() - Date.now())).toBeLessThanOrEqual(wsc.clockBound ?? 0);
  });

  it("gives serverNow() and roomTime() on the relay's clock, roomTime() from client.time", async () => {
    const { client: wsc } = await member(freshRoom(), "Plotter", { now: skewed() });
    await samples(wsc, 1);
    const epoch = wsc.time;
    expect(epoch).toBeTypeOf("number");
    const serverNow = wsc.serverNow();
    const roomTime = wsc.roomTime() ?? Number.NaN;
    expect(Math.abs(roomTime - (serverNow / 1000 - (epoch ?? 0)))).toBeLessThan(0.005);
    expect(Math.abs(roomTime - (Date.now() / 1000 - (epoch ?? 0)))).toBeLessThan(0.01);
  });

  it("has no estimate before a sample: serverNow() is the local clock, roomTime() undefined", () => {
    const { client: wsc } = client(relay(), freshRoom(), "Idle", {
      now: () => 1_000,
      autoConnect: false,
    });
    expect(wsc.clockOffset).toBeUndefined();
    expect(wsc.clockRtt).toBeUndefined();
    expect(wsc.clockBound).toBeUndefined();
    expect(wsc.clockSamples).toBe(0);
    expect(wsc.serverNow()).toBe(1_000);
    expect(wsc.roomTime()).toBeUndefined();
  });

  it("keeps its pings and pongs from the hooks, and passes a user's own pong on", async () => {
    const recording = recordingWebSocket();
    const { client: wsc, events } = await member(freshRoom(), "Quiet", {
      now: skewed(),
      WebSocket: recording.WebSocket,
    });
    const pongs: JsonObject[] = [];
    wsc.addCmdFunction("pong", (kwargs) => {
      pongs.push({ ...kwargs });
      events.wake();
    });
    await samples(wsc);
    wsc.writeToSocket(commandMessage("ping", wsc.name, "server", { token: "mine" }));
    await events.until(() => pongs.length > 0, "the user's pong");
    expect(pongs).toEqual([{ token: "mine", time: expect.any(Number) }]);
    const seen = events.messages.filter((message) => message.type === "cmd");
    expect(seen.map((message) => commandOf({ ...message }))).toEqual([
      "indentify",
      "set_time",
      "identified",
      "pong",
    ]);
    expect(events.errors).toEqual([]);
    // Five samples at identify, each its own token, outside the frame stream (no id, no sid).
    const pings = recording.pings.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(pings).toHaveLength(5);
    const tokens = pings.map((ping) => (ping.data as { kwargs: { token: string } }).kwargs.token);
    expect(new Set(tokens).size).toBe(5);
    for (const ping of pings) {
      expect(ping).toEqual({
        type: "cmd",
        data: { cmd: "ping", args: [], kwargs: { token: expect.any(String) } },
        from: "Quiet",
        target: ["server"],
      });
    }
  });

  it("takes that option as a function only", () => {
    expect(() => client(relay(), freshRoom(), "Bad", { now: 5 as never })).toThrow(TypeError);
  });
});

describe("relayTime (capability stamps)", () => {
  it("gives each received peer frame the relay's receive time, not the sender's", async () => {
    const room = freshRoom();
    const { client: wsc, events } = await member(room, "Gui");
    expect(wsc.capabilities).toContain("stamps");
    const times: Array<number | undefined> = [];
    wsc.addMessageType("message", (_data, { relayTime }) => {
      times.push(relayTime);
      events.wake();
    });
    const peer = await join(relay(), room, "Sensor");
    const before = Date.now();
    peer.send({ type: "message", data: "hi", target: "Gui", relayTime: 12 });
    await events.until(() => times.length > 0, "the message");
    const [stamp] = times;
    expect(stamp).toBeTypeOf("number");
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Date.now());
    expect(events.errors).toEqual([]);
  });

  it("has no relayTime without stamps, whatever a sender wrote", async () => {
    const room = freshRoom();
    const { client: wsc, events } = await member(room, "Plain", {
      capabilities: ["errors"],
    });
    const times: Array<number | undefined> = [];
    wsc.addMessageType("message", (_data, { relayTime }) => {
      times.push(relayTime);
      events.wake();
    });
    const peer = await join(relay(), room, "Sensor");
    peer.send({ type: "message", data: "hi", target: "Plain", relayTime: 12 });
    await events.until(() => times.length > 0, "the message");
    expect(times).toEqual([undefined]);
  });
});

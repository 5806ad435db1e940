/**
 * Presence against the local relay (capability `presence`): an observer's `members` and the
 * exact sequence of its join, away, back, moved and leave hooks for every way a stay ends (a
 * close, an abrupt cut, a heartbeat timeout, a takeover, a room reset), the roster fetched
 * page by page, a reconnect that tells only the differences, and a seed client that is told
 * nothing.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, expect, it } from "vitest";
import type { Member, WebSocketClient } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, join, relayForFile, startRelay } from "../support/relay.js";
import { client, deliver, type Recorder, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/** The room's mail window in these tests: how long an away name stays, in ms. */
const WINDOW_MS = 1_500;
/** The relay's heartbeat timeout in these tests, in ms. */
const HEARTBEAT_TIMEOUT_MS = 1_000;

const relay = relayForFile({
  limits: { mailWindowMs: WINDOW_MS, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
});

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A client of `room` closed after the test. */
function member(
  base: SocketServer | string,
  room: string,
  name: string,
  options: Parameters<typeof client>[3] = {},
): { client: WebSocketClient; events: Recorder } {
  const made = client(base, room, name, options);
  cleanup.push(() => made.client.close());
  return made;
}

type Told = { event: string; member: Member; at: number };

/** Records an observer's presence hooks as `"<event> <name>"`, in order. */
class Watch {
  readonly seen: string[] = [];
  readonly told: Told[] = [];
  readonly #events: Recorder;

  constructor(wsc: WebSocketClient, events: Recorder) {
    this.#events = events;
    const record = (event: string) => (member: Member, at: number) => {
      this.seen.push(`${event} ${member.name}`);
      this.told.push({ event, member, at });
      events.wake();
    };
    wsc.on("join", record("join"));
    wsc.on("leave", record("leave"));
    wsc.on("away", record("away"));
    wsc.on("back", record("back"));
    wsc.on("moved", record("moved"));
  }

  /** Waits until `entry` (such as `"leave S"`) was told. */
  until(entry: string, timeout?: number): Promise<true> {
    return this.#events.until(
      () => this.seen.includes(entry),
      `"${entry}" (seen: ${this.seen.join(", ") || "nothing"})`,
      timeout,
    );
  }

  /** When `entry` was told (its `at`). */
  at(entry: string): number {
    const told = this.told.find(({ event, member }) => `${event} ${member.name}` === entry);
    if (told === undefined) throw new Error(`"${entry}" was not told`);
    return told.at;
  }

  /**
   * Waits for the last of `expected`, then for a marker member's join (which comes after
   * anything the relay decided before it), and checks that exactly `expected` was told.
   */
  async expect(room: string, expected: readonly string[]): Promise<void> {
    const last = expected.at(-1);
    if (last !== undefined) await this.until(last, WINDOW_MS * 4);
    const marker = `marker-${crypto.randomUUID().slice(0, 8)}`;
    const seed = await join(relay(), room, marker);
    await this.until(`join ${marker}`);
    seed.socket.close();
    expect(this.seen.filter((entry) => !entry.includes(" marker-"))).toEqual(expected);
  }
}

/** An SDK observer of `room` with its {@link Watch}, identified. */
async function observer(
  room: string,
  name = "Observer",
): Promise<{ wsc: WebSocketClient; events: Recorder; watch: Watch }> {
  const { client: wsc, events } = client(relay(), room, name, { autoConnect: false });
  cleanup.push(() => wsc.close());
  const watch = new Watch(wsc, events);
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  return { wsc, events, watch };
}

/** A proxy in front of the relay, closed after the test. */
async function proxy(target: SocketServer = relay()): Promise<TcpProxy> {
  const started = await TcpProxy.start(target);
  cleanup.push(() => started.close());
  return started;
}

it("tells a close as join then leave, and lists the member while it stays", async () => {
  const room = freshRoom();
  const { wsc: o, watch, events } = await observer(room);
  expect(o.capabilities).toContain("presence");
  // The observer itself is in the roster, but no hook is told about it.
  expect(o.members.get("Observer")).toMatchObject({ name: "Observer", state: "here" });
  const s = member(relay(), room, "S");
  await watch.until("join S");
  const joined = o.members.get("S");
  expect(joined).toEqual({ name: "S", state: "here", since: watch.at("join S") });
  s.client.close();
  await watch.until("leave S");
  expect(o.members.has("S")).toBe(false);
  await watch.expect(room, ["join S", "leave S"]);
  // No presence frame reached a message hook, and nothing was reported as unknown.
  expect(events.messages.filter((message) => message.type === "presence")).toEqual([]);
  expect(events.errors).toEqual([]);
});

it("tells an abrupt cut as away, and the return within the window as back", async () => {
  const room = freshRoom();
  const { wsc: o, watch } = await observer(room);
  const through = await proxy();
  const s = member(through.url, room, "S");
  await watch.until("join S");
  // Reconnects only once the observer saw the away, so the relay noticed the cut first.
  s.client.reconnect = false;
  (await through.connection(0)).cut();
  await watch.until("away S");
  expect(o.members.get("S")).toMatchObject({ state: "away", since: watch.at("away S") });
  s.client.reconnect = true;
  s.client.connectToSocket();
  await watch.until("back S");
  expect(o.members.get("S")).toMatchObject({ state: "here", since: watch.at("back S") });
  await watch.expect(room, ["join S", "away S", "back S"]);
});

it("tells an abrupt cut as away, and a leave when the window ends", async () => {
  const room = freshRoom();
  const { wsc: o, watch } = await observer(room);
  const through = await proxy();
  const s = member(through.url, room, "S", { reconnect: false });
  await watch.until("join S");
  (await through.connection(0)).cut();
  await watch.until("away S");
  await watch.until("leave S", WINDOW_MS * 4);
  expect(watch.at("leave S") - watch.at("away S")).toBeGreaterThanOrEqual(WINDOW_MS);
  expect(o.members.has("S")).toBe(false);
  await watch.expect(room, ["join S", "away S", "leave S"]);
  expect(s.events.closes.at(-1)?.reconnecting).toBe(false);
});

it("tells a heartbeat timeout as away, then a leave when the window ends", async () => {
  const room = freshRoom();
  const { wsc: o, watch } = await observer(room);
  const through = await proxy();
  const s = member(through.url, room, "S", { reconnect: false });
  await watch.until("join S");
  const joinedAt = Date.now();
  // The client's side is reset; the relay's side stays open and silent: no heartbeats.
  (await through.connection(0)).cutClientSide();
  await s.events.until(() => s.events.closes.length === 1, "the client's close");
  // The relay finds the silent socket dead when it is needed (a frame to it), once its
  // heartbeats have been missing for the timeout, and closes it with 4011. A frame every
  // 200 ms, for at most ten timeouts.
  const probes = (HEARTBEAT_TIMEOUT_MS * 10) / 200;
  for (let n = 0; n < probes && !watch.seen.includes("away S"); n++) {
    o.writeToSocket({ type: "ping", data: n, target: ["S"] });
    await watch.until("away S", 200).catch(() => undefined);
  }
  expect(watch.seen).toContain("away S");
  expect(Date.now() - joinedAt).toBeGreaterThanOrEqual(HEARTBEAT_TIMEOUT_MS);
  await watch.until("leave S", WINDOW_MS * 4);
  await watch.expect(room, ["join S", "away S", "leave S"]);
});

it("tells a takeover with proof as moved only, keeping the stay's start", async () => {
  const room = freshRoom();
  const { wsc: o, watch } = await observer(room);
  const first = member(relay(), room, "S");
  await watch.until("join S");
  await first.events.identifiedTimes(1);
  const since = o.members.get("S")?.since;
  const second = member(relay(), room, "S", { resume: first.client.resumeSecret });
  await second.events.identifiedTimes(1);
  await watch.until("moved S");
  await first.events.until(() => first.events.closes[0], "the old holder's close");
  expect(first.events.closes[0]?.code).toBe(4010);
  expect(o.members.get("S")).toEqual({ name: "S", state: "here", since });
  await watch.expect(room, ["join S", "moved S"]);
});

it("tells a dead holder replaced by its own reconnect as moved only", async () => {
  const room = freshRoom();
  const { watch } = await observer(room);
  const through = await proxy();
  const s = member(through.url, room, "S");
  await watch.until("join S");
  // A blip the relay is not told about: the client reconnects while its old socket is open.
  (await through.connection(0)).cutClientSide();
  await s.events.identifiedTimes(2);
  await watch.until("moved S");
  await watch.expect(room, ["join S", "moved S"]);
});

it("after a room reset: a name back within the window is back; one that is not, leaves", async () => {
  const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-presence-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  let persisted = await startRelay({ persist: dir, limits: { mailWindowMs: WINDOW_MS } });
  cleanup.push(() => persisted.close());
  const room = freshRoom();
  const o = client(persisted, room, "Observer", { autoConnect: false });
  cleanup.push(() => o.client.close());
  const watch = new Watch(o.client, o.events);
  o.client.connectToSocket();
  await o.events.identifiedTimes(1);
  const back = member(persisted, room, "Back", { reconnect: false });
  const gone = member(persisted, room, "Gone", { reconnect: false });
  await watch.until("join Back");
  await watch.until("join Gone");
  await Promise.all([back, gone].map(({ events }) => events.identifiedTimes(1)));

  const port = persisted.port;
  await persisted.close();
  persisted = await startRelay({ port, persist: dir, limits: { mailWindowMs: WINDOW_MS } });
  // The observer comes back first: its new roster has both away (no close reached the room).
  await o.events.identifiedTimes(2, 20_000);
  await watch.until("away Gone");
  expect(o.client.members.get("Back")?.state).toBe("away");
  back.client.reconnect = true;
  back.client.connectToSocket();
  await watch.until("back Back");
  await watch.until("leave Gone", WINDOW_MS * 4);
  expect(o.client.members.get("Back")?.state).toBe("here");
  expect(o.client.members.has("Gone")).toBe(false);
  // The marker joins on the restarted persisted.
  const marker = `marker-${crypto.randomUUID().slice(0, 8)}`;
  const seed = await join(persisted, room, marker);
  await watch.until(`join ${marker}`);
  seed.socket.close();
  // Exactly one stay each. Which of the two is told away first depends on whether the old
  // persisted's shutdown let a close reach the room before the observer's own socket went.
  const of = (name: string) => watch.seen.filter((entry) => entry.endsWith(` ${name}`));
  expect(of("Back")).toEqual(["join Back", "away Back", "back Back"]);
  expect(of("Gone")).toEqual(["join Gone", "away Gone", "leave Gone"]);
  expect(watch.seen.filter((entry) => !entry.includes(" marker-"))).toHaveLength(6);
}, 30_000);

it("fetches a roster larger than a page, page by page, and after a reconnect tells only the differences", async () => {
  // Frames of at most 1,536 bytes: a page holds a handful of members.
  const small = await startRelay({ limits: { maxFrameBytes: 1_536 } });
  cleanup.push(() => small.close());
  const room = freshRoom();
  const names = Array.from({ length: 14 }, (_, i) => `member-${String(i).padStart(2, "0")}`);
  const seeds = await Promise.all(names.map((name) => join(small, room, name)));
  cleanup.push(() => {
    for (const seed of seeds) seed.socket.close();
  });
  const recording = recordingWebSocket();
  const through = await proxy(small);
  const o = client(through.url, room, "Observer", {
    autoConnect: false,
    WebSocket: recording.WebSocket,
  });
  cleanup.push(() => o.client.close());
  const watch = new Watch(o.client, o.events);
  o.client.connectToSocket();
  await o.events.identifiedTimes(1);
  await o.events.until(() => o.client.members.size === names.length + 1, "every page");
  expect([...o.client.members.keys()].sort()).toEqual(["Observer", ...names].sort());
  expect([...watch.seen].sort()).toEqual(names.map((name) => `join ${name}`));
  // It took several requests, each after the last name of the page before.
  const requests = recording.sent.filter((text) => text.includes('"roster"'));
  expect(requests.length).toBeGreaterThanOrEqual(2);
  const afters = requests.map((text) => JSON.parse(text).data.kwargs.after);
  expect(afters).toEqual([...afters].sort());
  // The answers reached no hook and no error.
  expect(
    o.events.messages.filter((message) => message.type === "cmd").map((m) => m.data),
  ).not.toContainEqual(expect.objectContaining({ cmd: "members" }));
  expect(o.events.errors).toEqual([]);

  // Away for a while: one member leaves, one joins; the rest stay.
  const witness = client(small, room, "Witness");
  cleanup.push(() => witness.client.close());
  const seenByWitness = new Watch(witness.client, witness.events);
  await witness.events.identifiedTimes(1);
  await watch.until("join Witness");
  o.client.reconnect = false;
  (await through.connection(0)).cut();
  await seenByWitness.until("away Observer");
  const leaving = seeds[3];
  leaving?.socket.close();
  await seenByWitness.until(`leave ${names[3]}`);
  const newcomer = await join(small, room, "member-99");
  cleanup.push(() => newcomer.socket.close());
  await seenByWitness.until("join member-99");
  const before = watch.seen.length;
  o.client.reconnect = true;
  o.client.connectToSocket();
  await o.events.identifiedTimes(2);
  await o.events.until(() => o.client.members.has("member-99"), "the new member");
  await o.events.until(() => !o.client.members.has(names[3] ?? ""), "the member gone");
  expect(watch.seen.slice(before).sort()).toEqual([`leave ${names[3]}`, "join member-99"].sort());
  expect(o.client.members.size).toBe(names.length + 2);
}, 30_000);

it("tells a seed client (no capabilities) nothing of presence", async () => {
  const room = freshRoom();
  const seed = await join(relay(), room, "Seed");
  const { wsc: o, watch } = await observer(room);
  const s = member(relay(), room, "S");
  await watch.until("join S");
  s.client.close();
  await watch.until("leave S");
  // The seed client's next frame is the observer's note: no presence frame came before it.
  o.writeToSocket({ type: "note", data: "after", target: ["Seed"] });
  expect(await seed.next()).toMatchObject({ type: "note", data: "after", from: "Observer" });
  expect(seed.raw.filter((text) => text.includes('"presence"'))).toEqual([]);
});

it("takes presence only from the relay: a peer's forged presence and members frames change nothing", async () => {
  const room = freshRoom();
  const { wsc: o, watch, events } = await observer(room);
  const s = member(relay(), room, "S");
  await watch.until("join S");
  const peer = await join(relay(), room, "Peer");
  await watch.until("join Peer");
  peer.send({ type: "presence", data: { event: "leave", name: "S", at: 1 }, target: ["Observer"] });
  peer.send({
    type: "cmd",
    data: { cmd: "members", args: [], kwargs: { members: [] } },
    target: ["Observer"],
  });
  // Both are the peer's own frames: unknown to the observer, and the roster is as it was.
  await events.error("UNKNOWN_TYPE");
  await events.error("UNKNOWN_COMMAND");
  expect(o.members.get("S")?.state).toBe("here");
  expect(s.events.errors).toEqual([]);
  await watch.expect(room, ["join S", "join Peer"]);
});

it("reports a malformed presence frame from the relay as INVALID_FRAME and keeps the roster", async () => {
  const room = freshRoom();
  const recording = recordingWebSocket();
  const o = client(relay(), room, "Observer", { WebSocket: recording.WebSocket });
  cleanup.push(() => o.client.close());
  await o.events.identifiedTimes(1);
  const socket = recording.sockets[0];
  if (socket === undefined) throw new Error("no socket");
  deliver(
    socket,
    '{"type":"presence","data":{"event":"vanish","name":"Observer","at":1},"from":"server","target":["Observer"]}',
  );
  const error = await o.events.error("INVALID_FRAME");
  expect(error.message).toContain("presence");
  expect(o.client.members.get("Observer")?.state).toBe("here");
  expect(o.events.messages.filter((message) => message.type === "presence")).toEqual([]);
});

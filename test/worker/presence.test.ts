import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd, type Frame, type Inbox } from "../support/inbox.js";
import { expectQuiet, sync } from "../support/session.js";
import { crowd, freshRoom, identifyFresh, join, roomStub } from "./connect.js";

const WATCHER = { capabilities: ["presence"] };
const RESUMABLE = { capabilities: ["resume"] };

/** The presence events `inbox` gets before `marker` from `sender` arrives, as "event name". */
async function eventsUntilQuiet(inbox: Inbox, name: string, sender: Inbox, from: string) {
  const frames: Frame[] = await syncThrough(inbox, name, sender, from);
  return frames.map((frame) => {
    const data = frame.data as { event: string; name: string };
    expect(frame).toMatchObject({ type: "presence", from: "server", target: [name] });
    return `${data.event} ${data.name}`;
  });
}

/** Every frame `inbox` gets before a marker `sender` sends it after everything else. */
async function syncThrough(inbox: Inbox, name: string, sender: Inbox, from: string) {
  await sync(sender, from);
  const marker = crypto.randomUUID();
  sender.send({ type: "marker", data: marker, target: [name] });
  const frames: Frame[] = [];
  for (;;) {
    const frame = await inbox.next();
    if (frame.type === "marker" && frame.data === marker) return frames;
    frames.push(frame);
  }
}

describe("presence", () => {
  it("tells a join and, for a goodbye close, a leave", async () => {
    const room = freshRoom();
    const { inbox: w, identified } = await identifyFresh(room, "W", WATCHER);
    expect(identified.roster?.members.map((member) => member.name)).toEqual(["W"]);
    const helper = await join(room, "H");
    const a = await join(room, "A");
    a.socket.close(1000);
    await a.closed();
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual(["join H", "join A", "leave A"]);
  });

  it("keeps a name that went without a goodbye as away, and tells its return as back", async () => {
    const room = freshRoom();
    const { inbox: w } = await identifyFresh(room, "W", WATCHER);
    const helper = await join(room, "H");
    const first = await identifyFresh(room, "A", RESUMABLE);
    first.inbox.socket.close(3000);
    await first.inbox.closed();
    await identifyFresh(room, "A", { ...RESUMABLE, resume: first.identified.resume });
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual([
      "join H",
      "join A",
      "away A",
      "back A",
    ]);
  });

  it("ends the stay at once of a name that cannot prove it when it comes back", async () => {
    const room = freshRoom();
    const { inbox: w } = await identifyFresh(room, "W", WATCHER);
    const helper = await join(room, "H");
    const a = await join(room, "A");
    a.socket.close(3000);
    await a.closed();
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual(["join H", "join A", "leave A"]);
  });

  it("tells a takeover as moved: neither a leave nor a join", async () => {
    const room = freshRoom();
    const { inbox: w } = await identifyFresh(room, "W", WATCHER);
    const helper = await join(room, "H");
    const first = await identifyFresh(room, "A", RESUMABLE);
    await identifyFresh(room, "A", { ...RESUMABLE, resume: first.identified.resume });
    expect(await first.inbox.closed()).toMatchObject({ code: 4010 });
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual(["join H", "join A", "moved A"]);
  });

  it("ends an away name's stay when the window ends", async () => {
    const room = freshRoom();
    const { inbox: w } = await identifyFresh(room, "W", WATCHER);
    const helper = await join(room, "H");
    const first = await identifyFresh(room, "A", RESUMABLE);
    first.inbox.socket.close(3000);
    await first.inbox.closed();
    await sync(helper, "H");
    const stub = roomStub(room);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE presence SET since = since - 1e9 WHERE state = 'away'");
    });
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual([
      "join H",
      "join A",
      "away A",
      "leave A",
    ]);
  });

  it("after a room reset: a name back within the window is back, not a leave and a join", async () => {
    const room = freshRoom();
    const first = await identifyFresh(room, "A", RESUMABLE);
    await identifyFresh(room, "B", RESUMABLE);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const { inbox: w, identified } = await identifyFresh(room, "W", WATCHER);
    expect(identified.roster?.members.map(({ name, state }) => `${name} ${state}`)).toEqual([
      "A away",
      "B away",
      "W here",
    ]);
    const helper = await join(room, "H");
    await identifyFresh(room, "A", { ...RESUMABLE, resume: first.identified.resume });
    expect(await eventsUntilQuiet(w, "W", helper, "H")).toEqual(["join H", "back A"]);
  });

  it("pages the roster: identified holds the first page, the roster command the rest", async () => {
    const room = freshRoom();
    await Promise.all(["m1", "m2", "m3"].map((name) => join(room, name)));
    const { inbox: w } = await identifyFresh(room, "W", WATCHER);
    // Sorted by code point: W, m1, m2, m3.
    w.send(cmd("roster", { after: "m1", limit: 1 }, "server", "W"));
    expect(await w.next()).toMatchObject({
      type: "cmd",
      from: "server",
      data: {
        cmd: "members",
        kwargs: {
          members: [{ name: "m2", state: "here" }],
          next: "m2",
        },
      },
    });
  });

  it("refuses a roster page that costs more of the rate limit than is left, with RATE_LIMITED", async () => {
    const room = `tinyrate-${crypto.randomUUID()}`;
    const others = await crowd(room, "m", 100);
    // The identify takes one of W's two frames of burst, the roster request the other: the
    // page of 101 members would cost one more.
    const { inbox: w } = await identifyFresh(room, "W", { capabilities: ["presence", "errors"] });
    w.send(cmd("roster", {}, "server", "W"));
    expect(await w.next()).toMatchObject({
      type: "error",
      data: { code: "RATE_LIMITED", message: expect.stringContaining("roster page") },
    });
    // The members without presence were told nothing, before or after.
    expect(others.every((other) => other.pending.length === 0)).toBe(true);
  }, 15_000);

  it("answers roster with UNKNOWN_COMMAND to a client without presence, and tells it no change", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors"] });
    a.send(cmd("roster", {}, "server", "A"));
    expect(await a.next()).toMatchObject({ type: "error", data: { code: "UNKNOWN_COMMAND" } });
    const b = await join(room, "B");
    await expectQuiet(a, b, "A", "B");
  });
});

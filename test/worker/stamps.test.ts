import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd, type Frame, type Inbox } from "../support/inbox.js";
import { expectQuiet } from "../support/session.js";
import { freshRoom, join, roomStub } from "./connect.js";

const STAMPS = { capabilities: ["stamps"] };

/** How often `relayTime` appears in a raw frame text (a duplicate key would count twice). */
function stampsIn(raw: string): number {
  return raw.split('"relayTime"').length - 1;
}

/** The raw text of the last frame `inbox` received. */
function lastRaw(inbox: { raw: readonly string[] }): string {
  return inbox.raw.at(-1) ?? "";
}

/** Asserts a stamp from an event between `before` and now. */
function expectStamp(frame: Frame, before: number): number {
  const stamp = frame.relayTime;
  expect(typeof stamp).toBe("number");
  expect(Number.isInteger(stamp)).toBe(true);
  expect(stamp as number).toBeGreaterThanOrEqual(before);
  expect(stamp as number).toBeLessThanOrEqual(Date.now());
  return stamp as number;
}

/**
 * A fresh room with A (no capabilities) and B (`stamps`), and the time once both are in: a
 * stamp on what A sends from then on is no earlier.
 */
async function senderAndStamped(): Promise<{ a: Inbox; b: Inbox; before: number }> {
  const room = freshRoom();
  const a = await join(room, "A");
  const b = await join(room, "B", STAMPS);
  return { a, b, before: Date.now() };
}

describe("relay time stamps (capability stamps)", () => {
  it("stamps a relayed frame for a client with stamps, once, as the relay's event time", async () => {
    const { a, b, before } = await senderAndStamped();
    a.send({ type: "message", data: { content: "hi" }, target: ["B"], id: 3 });
    const frame = await b.next();
    const stamp = expectStamp(frame, before);
    expect(frame).toEqual({
      type: "message",
      data: { content: "hi" },
      from: "A",
      target: ["B"],
      id: 3,
      relayTime: stamp,
    });
    expect(stampsIn(lastRaw(b))).toBe(1);
  });

  it("strips a sender's relayTime for a client without stamps", async () => {
    const room = freshRoom();
    const a = await join(room, "A", STAMPS);
    const c = await join(room, "C");
    a.send({ type: "message", data: 1, target: "C", relayTime: 12 });
    expect(await c.next()).toEqual({ type: "message", data: 1, from: "A", target: ["C"] });
    expect(stampsIn(lastRaw(c))).toBe(0);
    await expectQuiet(a, c, "A", "C");
  });

  it("replaces a forged relayTime, duplicate keys included, for a client with stamps", async () => {
    const { a, b, before } = await senderAndStamped();
    a.send({ type: "message", data: 1, target: "B", relayTime: 1 });
    expectStamp(await b.next(), before);
    expect(stampsIn(lastRaw(b))).toBe(1);
    a.send('{"type":"message","relayTime":2,"data":2,"target":"B","relayTime":"soon"}');
    const frame = await b.next();
    expect(frame.data).toBe(2);
    expectStamp(frame, before);
    expect(stampsIn(lastRaw(b))).toBe(1);
    await expectQuiet(a, b, "A", "B");
  });

  it("gives each recipient of one frame its own text: stamped, plain, and stamped mail", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B", STAMPS);
    const c = await join(room, "C");
    const d = await join(room, "D", { capabilities: ["stamps", "delivery", "resume"] });
    const before = Date.now();
    a.send({ type: "message", data: "all", target: "*", relayTime: 5 });
    const atB = await b.next();
    const stamp = expectStamp(atB, before);
    expect(await c.next()).toEqual({ type: "message", data: "all", from: "A", target: ["*"] });
    expect(await d.next()).toMatchObject({ type: "mail", from: "server", data: { count: 1 } });
    const atD = await d.next();
    expect(atD).toEqual(atB);
    expect(atD.relayTime).toBe(stamp);
    // The mail kept for D until it confirms is the text D got.
    const kept = await runInDurableObject(roomStub(room), (_instance, state) =>
      String(state.storage.sql.exec("SELECT texts FROM mail WHERE name = 'D'").one().texts),
    );
    expect(kept).toContain(`"relayTime":${stamp}`);
    expect(kept).not.toContain('"relayTime":5');
  });

  it("stamps a call for a callee with stamps", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["calls"] });
    const b = await join(room, "B", { capabilities: ["calls", "stamps"] });
    const before = Date.now();
    a.send({ ...cmd("probe", {}, "B", "A"), call: "s1-1", relayTime: 9 });
    const call = await b.next();
    expect(call).toMatchObject({ type: "cmd", from: "A", call: "s1-1" });
    expectStamp(call, before);
    b.send({ type: "reply", data: { ok: true }, target: ["A"], call: "s1-1", relayTime: 9 });
    const reply = await a.next();
    expect(reply).toMatchObject({ type: "reply", from: "B", call: "s1-1" });
    expect(reply).not.toHaveProperty("relayTime");
  });

  it("still knows who takes stamps after the room hibernated", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B", STAMPS);
    const c = await join(room, "C");
    await evictDurableObject(roomStub(room));
    const before = Date.now();
    a.send({ type: "message", data: 1, target: ["B", "C"] });
    expectStamp(await b.next(), before);
    expect(await c.next()).not.toHaveProperty("relayTime");
  });
});

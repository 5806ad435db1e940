import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd, type Frame } from "../support/inbox.js";
import { expectQuiet, sync } from "../support/session.js";
import { freshRoom, join, open, roomStub } from "./connect.js";

const CALLS = { capabilities: ["calls", "errors"] };

/** A call frame from `from` to `target` with id `call`. */
function callFrame(command: string, target: string | string[], call: string, from = ""): Frame {
  return { ...cmd(command, { n: 1 }, target, from), call };
}

/** The room's own reply to `caller`'s call `call`, failed with `code`. */
function relayReply(caller: string, call: string, code: string): Frame {
  return {
    type: "reply",
    data: { ok: false, code, message: expect.any(String) },
    target: [caller],
    call,
    from: "server",
  };
}

/** How many pending calls the room keeps. */
function pendingCalls(room: string): Promise<number> {
  return runInDurableObject(roomStub(room), (_instance, state) => {
    const row = state.storage.sql.exec("SELECT COUNT(*) AS n FROM calls").one();
    return Number(row.n);
  });
}

describe("calls", () => {
  it("delivers a call to its target and routes the reply to the caller, once", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("probe", "B", "s1-1", "Mallory"));
    expect(await b.next()).toEqual({
      type: "cmd",
      data: { cmd: "probe", args: [], kwargs: { n: 1 } },
      from: "A",
      target: ["B"],
      call: "s1-1",
    });
    expect(await pendingCalls(room)).toBe(1);
    const reply = { type: "reply", data: { ok: true, value: 21.5 }, target: ["A"], call: "s1-1" };
    b.send(reply);
    expect(await a.next()).toEqual({ ...reply, from: "B" });
    expect(await pendingCalls(room)).toBe(0);
    // The call is answered: a second reply with its id goes nowhere.
    b.send(reply);
    await expectQuiet(a, b, "A", "B");
  });

  it("refuses a call that is not one command to one name with BAD_CALL, and delivers it to no one", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    const c = await join(room, "C", CALLS);
    a.send(callFrame("probe", ["B", "C"], "s1-1"));
    a.send(callFrame("probe", "*", "s1-2"));
    a.send(callFrame("ping", "server", "s1-3"));
    a.send({ type: "note", data: 1, target: ["B"], call: "s1-4" });
    a.send(callFrame("probe", ["B", "B"], "s1-5"));
    for (const call of ["s1-1", "s1-2", "s1-3", "s1-4", "s1-5"]) {
      expect(await a.next()).toEqual(relayReply("A", call, "BAD_CALL"));
    }
    await expectQuiet(b, a, "B", "A");
    await expectQuiet(c, a, "C", "A");
    expect(await sync(a, "A")).toEqual([]);
    expect(await pendingCalls(room)).toBe(0);
  });

  it("answers a call to an absent name with TARGET_NOT_CONNECTED", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("probe", "Ghost", "s1-1"));
    expect(await a.next()).toEqual(relayReply("A", "s1-1", "TARGET_NOT_CONNECTED"));
    await expectQuiet(b, a, "B", "A");
  });

  it("answers a call to a client without calls with TARGET_CANNOT_REPLY, and does not deliver it", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const seed = await join(room, "Seed");
    a.send(callFrame("probe", "Seed", "s1-1"));
    expect(await a.next()).toEqual(relayReply("A", "s1-1", "TARGET_CANNOT_REPLY"));
    await expectQuiet(seed, a, "Seed", "A");
    expect(await pendingCalls(room)).toBe(0);
  });

  it("refuses a malformed call id with BAD_ENVELOPE", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send({ ...cmd("probe", {}, "B"), call: 7 });
    a.send({ ...cmd("probe", {}, "B"), call: "x".repeat(129) });
    for (let i = 0; i < 2; i++) {
      expect(await a.next()).toMatchObject({ type: "error", data: { code: "BAD_ENVELOPE" } });
    }
    await expectQuiet(b, a, "B", "A");
  });

  it("answers the pending calls to a callee that leaves with TARGET_LEFT", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const c = await join(room, "C", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("slow", "B", "s1-1"));
    c.send(callFrame("slow", "B", "s2-1"));
    await b.take(2);
    b.socket.close(1000, "bye");
    expect(await a.next()).toEqual(relayReply("A", "s1-1", "TARGET_LEFT"));
    expect(await c.next()).toEqual(relayReply("C", "s2-1", "TARGET_LEFT"));
    expect(await pendingCalls(room)).toBe(0);
  });

  it("answers TARGET_LEFT when a newcomer with the resume secret takes the callee's name", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const old = await open(room);
    await old.take(2);
    old.send(cmd("identify", { name: "B", capabilities: ["calls", "resume"] }));
    const ack = await old.next();
    const secret = (ack.data as { kwargs: { resume: string } }).kwargs.resume;
    a.send(callFrame("slow", "B", "s1-1"));
    expect(await old.next()).toMatchObject({ call: "s1-1" });
    const fresh = await open(room);
    await fresh.take(2);
    fresh.send(cmd("identify", { name: "B", capabilities: ["calls", "resume"], resume: secret }));
    expect(await fresh.next()).toMatchObject({ data: { cmd: "identified" } });
    expect(await a.next()).toEqual(relayReply("A", "s1-1", "TARGET_LEFT"));
    // The new holder never got the call, and its reply to it would go nowhere.
    fresh.send({ type: "reply", data: { ok: true }, target: ["A"], call: "s1-1" });
    await expectQuiet(a, fresh, "A", "B");
  });

  it("forgets the calls of a caller that leaves: the reply reaches no one, not the name's next holder", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("slow", "B", "s1-1"));
    await b.next();
    a.socket.close(1000, "bye");
    // The room answers the close once it has let the name go.
    await a.closed();
    const again = await join(room, "A", CALLS);
    expect(await pendingCalls(room)).toBe(0);
    b.send({ type: "reply", data: { ok: true }, target: ["A"], call: "s1-1" });
    await expectQuiet(again, b, "A", "B");
  });

  it("routes a reply only from the callee: another client's reply with the same id is dropped", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    const m = await join(room, "M", CALLS);
    a.send(callFrame("probe", "B", "s1-1"));
    await b.next();
    m.send({ type: "reply", data: { ok: true, value: "forged" }, target: ["A"], call: "s1-1" });
    await expectQuiet(a, m, "A", "M");
    b.send({ type: "reply", data: { ok: true, value: "real" }, target: ["A"], call: "s1-1" });
    expect(await a.next()).toMatchObject({ from: "B", data: { value: "real" } });
  });

  it("routes a frame with a call field from a client without calls as any frame", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors"] });
    const b = await join(room, "B", CALLS);
    a.send(callFrame("probe", "B", "s1-1"));
    expect(await b.next()).toMatchObject({ from: "A", call: "s1-1" });
    expect(await pendingCalls(room)).toBe(0);
  });

  it("routes the reply to a call made before the room hibernated", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("probe", "B", "s1-1"));
    await b.next();
    const stub = roomStub(room);
    await runInDurableObject(stub, (instance) => {
      Object.assign(instance, { mark: true });
    });
    await evictDurableObject(stub);
    b.send({ type: "reply", data: { ok: true, value: 3 }, target: ["A"], call: "s1-1" });
    expect(await a.next()).toMatchObject({ type: "reply", from: "B", data: { value: 3 } });
    expect(await runInDurableObject(stub, (instance) => Object.hasOwn(instance, "mark"))).toBe(
      false,
    );
  });

  it("sends TARGET_LEFT for a call made before the room hibernated", async () => {
    const room = freshRoom();
    const a = await join(room, "A", CALLS);
    const b = await join(room, "B", CALLS);
    a.send(callFrame("slow", "B", "s1-1"));
    await b.next();
    await evictDurableObject(roomStub(room));
    b.socket.close(1000, "bye");
    expect(await a.next()).toEqual(relayReply("A", "s1-1", "TARGET_LEFT"));
  });
});

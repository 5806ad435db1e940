import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd, type Frame, type Inbox } from "../support/inbox.js";
import { expectQuiet, sync } from "../support/session.js";
import { freshRoom, identifyFresh, join, roomStub } from "./connect.js";

const RECEIVER = ["errors", "resume", "delivery"];

function note(n: number, target: string | string[] = "B", extra: Record<string, unknown> = {}) {
  return { type: "note", data: { n }, target, ...extra };
}

/** How many mail rows the room's storage holds. */
async function storedRows(room: string): Promise<unknown> {
  const row = await runInDurableObject(roomStub(room), (_instance, state) =>
    state.storage.sql.exec("SELECT count(*) AS n FROM mail").one(),
  );
  return row.n;
}

/** Reads one `mail` frame and the `count` frames it numbers. */
async function mail(inbox: Inbox): Promise<{ first: number; count: number; frames: Frame[] }> {
  const mark = await inbox.next();
  expect(mark).toMatchObject({ type: "mail", from: "server" });
  const { first, count } = mark.data as { first: number; count: number };
  return { first, count, frames: await inbox.take(count) };
}

describe("mail (capability delivery)", () => {
  it("numbers the frames a receiver with delivery gets, and forgets them when it confirms", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const a = await join(room, "A");
    a.send(note(1));
    a.send(note(2));
    const first = await mail(b);
    const second = await mail(b);
    expect([first.first, first.count, second.first, second.count]).toEqual([1, 1, 2, 1]);
    expect(second.frames[0]).toMatchObject({ type: "note", data: { n: 2 }, from: "A" });
    b.send(cmd("received", { through: 2 }, "server", "B"));
    await sync(b, "B");
    const kept = await runInDurableObject(roomStub(room), (_instance, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM mail").one(),
    );
    expect(kept.n).toBe(0);
  });

  it("keeps frames for a name that is away and sends them, in order, to its owner on return", async () => {
    const room = freshRoom();
    const first = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const a = await join(room, "A", { capabilities: ["errors", "undelivered"] });
    a.send(note(1));
    await mail(first.inbox); // seen, never confirmed
    first.inbox.socket.close(1000);
    await first.inbox.closed();
    a.send(note(2));
    a.send(note(3));
    await expectQuiet(a, await join(room, "C"), "A", "C"); // no UNDELIVERED: B's mail is kept
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: first.identified.resume,
    });
    expect(back.identified.capabilities).toContain("delivery");
    expect(back.identified.mail).toMatchObject({ confirmed: 0, next: 4, missed: 0 });
    const replayed = [await mail(back.inbox), await mail(back.inbox), await mail(back.inbox)];
    expect(replayed.map((row) => [row.first, row.count])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(replayed.flatMap((row) => row.frames.map((frame) => frame.data))).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
  });

  it("gives none of a name's mail to a client that takes the name without proof", async () => {
    const room = freshRoom();
    const owner = await identifyFresh(room, "B", { capabilities: RECEIVER });
    owner.inbox.socket.close(1000);
    await owner.inbox.closed();
    const a = await join(room, "A");
    a.send(note(1));
    await sync(a, "A");
    const impostor = await identifyFresh(room, "B", { capabilities: RECEIVER });
    expect(impostor.identified.capabilities).not.toContain("delivery");
    expect(impostor.identified.mail).toBeUndefined();
    await expectQuiet(impostor.inbox, a, "B", "A");
    // The owner's secret still proves it: it takes the name back, and its mail.
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: owner.identified.resume,
    });
    expect(back.identified.capabilities).toContain("delivery");
    expect((await mail(back.inbox)).frames[0]).toMatchObject({ data: { n: 1 } });
    expect(await impostor.inbox.closed()).toMatchObject({ code: 4010 });
  });

  it("keeps mail through a reset of the room: the owner gets it after both reconnect", async () => {
    const room = freshRoom();
    const first = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const a = await join(room, "A");
    a.send(note(1));
    await mail(first.inbox);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: first.identified.resume,
    });
    expect(back.identified.mail).toMatchObject({ confirmed: 0 });
    // The restarted room numbers on from a reserved block: past every number it gave out.
    expect(back.identified.mail?.next).toBeGreaterThan(1);
    expect((await mail(back.inbox)).frames[0]).toMatchObject({ data: { n: 1 }, from: "A" });
  });

  it("answers a frame that asks for a receipt with every target's status, and confirmed later", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    await join(room, "C");
    const a = await join(room, "A", { capabilities: ["receipts"] });
    a.send(note(1, ["B", "C", "Ghost"], { sid: "s1", seq: 7, receipt: true }));
    expect(await a.next()).toMatchObject({
      type: "receipt",
      from: "server",
      data: { sid: "s1", seq: 7, status: { B: "sent", C: "delivered", Ghost: "unknown" } },
    });
    const got = await mail(b);
    b.send(cmd("received", { through: got.first }, "server", "B"));
    expect(await a.next()).toMatchObject({
      type: "receipt",
      data: { sid: "s1", seq: 7, status: { B: "confirmed" } },
    });
  });

  it("keeps a receipt for a sender that is away, and gives it to the sender on return", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const sender = ["errors", "resume", "delivery", "receipts"];
    const a = await identifyFresh(room, "A", { capabilities: sender });
    a.inbox.send(note(1, "B", { sid: "s1", seq: 1, receipt: true }));
    expect(await a.inbox.next()).toMatchObject({ data: { status: { B: "sent" } } });
    a.inbox.socket.close(1000);
    await a.inbox.closed();
    const got = await mail(b);
    b.send(cmd("received", { through: got.first }, "server", "B"));
    await sync(b, "B");
    const back = await identifyFresh(room, "A", {
      capabilities: sender,
      resume: a.identified.resume,
    });
    expect(await back.inbox.next()).toMatchObject({
      type: "receipt",
      data: { sid: "s1", seq: 1, status: { B: "confirmed" } },
    });
  });

  it("tells a sender the mail expired when the window ends, and the name what it missed", async () => {
    const room = freshRoom();
    const owner = await identifyFresh(room, "B", { capabilities: RECEIVER });
    owner.inbox.socket.close(1000);
    await owner.inbox.closed();
    const a = await join(room, "A", { capabilities: ["errors", "receipts"] });
    a.send(note(1, "B", { sid: "s1", seq: 1, receipt: true }));
    expect(await a.next()).toMatchObject({ data: { status: { B: "stored" } } });
    const stub = roomStub(room);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE mailboxes SET away = away - 1e9");
    });
    // The room's memory still says B went away just now: start it afresh from storage.
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    expect(await a.next()).toMatchObject({
      type: "receipt",
      data: { sid: "s1", seq: 1, status: { B: "expired" } },
    });
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: owner.identified.resume,
    });
    expect(back.identified.mail).toMatchObject({ missed: 1 });
    // Expired counts as confirmed: nothing is left below the next number, which the restarted
    // room takes from a reserved block, past every number it gave out.
    const { confirmed = 0, next = 0 } = back.identified.mail ?? {};
    expect(next).toBeGreaterThan(1);
    expect(confirmed).toBe(next - 1);
    // Its window over, the name is kept no more when it goes again and the room restarts.
    back.inbox.socket.close(1000);
    await back.inbox.closed();
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE mailboxes SET away = away - 1e9");
    });
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    await evictDurableObject(stub); // a fresh start must not take the closed name for away
    a.send(note(2, "B", { sid: "s1", seq: 2, receipt: true }));
    expect(await a.next()).toMatchObject({ type: "error", data: { code: "UNDELIVERED" } });
    expect(await a.next()).toMatchObject({ type: "receipt", data: { status: { B: "unknown" } } });
  });

  it("takes over the mail of tables an earlier room wrote: no reserved numbers, the sender beside the receipts", async () => {
    const room = freshRoom();
    const stub = roomStub(room);
    const now = Date.now();
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      sql.exec(
        "CREATE TABLE mail (name TEXT NOT NULL, first INTEGER NOT NULL, count INTEGER NOT NULL, chars INTEGER NOT NULL, sender TEXT NOT NULL, texts TEXT NOT NULL, receipts TEXT, PRIMARY KEY (name, first)) WITHOUT ROWID",
      );
      sql.exec(
        "CREATE TABLE mailboxes (name TEXT PRIMARY KEY, confirmed INTEGER NOT NULL, away REAL, closed INTEGER NOT NULL, missed INTEGER NOT NULL, owner_secret TEXT)",
      );
      const text = JSON.stringify({ ...note(1), from: "A", target: ["B"] });
      sql.exec(
        "INSERT INTO mail VALUES ('B', 1, 1, ?, 'A', ?, ?)",
        text.length,
        `[${text}]`,
        JSON.stringify([["s1", 1]]),
      );
      sql.exec("INSERT INTO mailboxes VALUES ('B', 0, ?, 0, 0, NULL)", now);
    });
    const a = await join(room, "A", { capabilities: ["errors", "receipts"] });
    // A new frame is written beside the old row (no sender column), numbered after it.
    a.send(note(2, "B", { sid: "s1", seq: 2, receipt: true }));
    expect(await a.next()).toMatchObject({ data: { seq: 2, status: { B: "stored" } } });
    const firsts = await runInDurableObject(stub, (_instance, state) =>
      [...state.storage.sql.exec("SELECT first FROM mail WHERE name = 'B' ORDER BY first")].map(
        (row) => row.first,
      ),
    );
    expect(firsts).toEqual([1, 2]);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE mailboxes SET away = away - 1e9");
    });
    await evictDurableObject(stub);
    await runDurableObjectAlarm(stub);
    const receipts = [await a.next(), await a.next()].map((frame) => frame.data);
    expect(receipts).toEqual(
      expect.arrayContaining([
        { sid: "s1", seq: 1, status: { B: "expired" } },
        { sid: "s1", seq: 2, status: { B: "expired" } },
      ]),
    );
  });

  it("keeps at most maxMailFrames for a name: the sender of the next one gets overflow, the name learns what it missed", async () => {
    const room = `smallmail-${crypto.randomUUID()}`;
    const owner = await identifyFresh(room, "B", { capabilities: RECEIVER });
    owner.inbox.socket.close(1000);
    await owner.inbox.closed();
    const a = await join(room, "A", { capabilities: ["receipts"] });
    const statuses: unknown[] = [];
    for (let seq = 1; seq <= 4; seq++) {
      a.send(note(seq, "B", { sid: "s1", seq, receipt: true }));
      statuses.push(((await a.next()).data as { status: { B: string } }).status.B);
    }
    expect(statuses).toEqual(["stored", "stored", "stored", "overflow"]);
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: owner.identified.resume,
    });
    expect(back.identified.mail).toMatchObject({ missed: 1, next: 4 });
    const kept = [await mail(back.inbox), await mail(back.inbox), await mail(back.inbox)];
    expect(kept.flatMap((row) => row.frames.map((frame) => frame.data))).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
  });

  it("numbers a call and its reply like any peer frame for clients with delivery", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: [...RECEIVER, "calls"] });
    const { inbox: a } = await identifyFresh(room, "A", { capabilities: [...RECEIVER, "calls"] });
    a.send({ ...cmd("measure", {}, "B"), call: "c1" });
    const call = await mail(b);
    expect(call.frames).toMatchObject([{ type: "cmd", call: "c1", from: "A" }]);
    b.send({ type: "reply", data: { ok: true, value: 3 }, target: ["A"], call: "c1" });
    expect((await mail(a)).frames).toMatchObject([{ type: "reply", call: "c1", from: "B" }]);
  });

  it("says refused, with the limit's code, for a frame a limit refused", async () => {
    const room = `tinyevent-${crypto.randomUUID()}`;
    const others = [await join(room, "B"), await join(room, "C"), await join(room, "D")];
    const a = await join(room, "A", { capabilities: ["receipts"] });
    a.send(note(1, ["B", "C", "D"], { sid: "s1", seq: 1, receipt: true }));
    expect(await a.next()).toMatchObject({
      type: "receipt",
      data: { status: { B: "refused", C: "refused", D: "refused" }, code: "COST_LIMIT" },
    });
    for (const [i, other] of others.entries()) {
      await expectQuiet(other, a, ["B", "C", "D"][i] as string, "A");
    }
  });

  it("gives a resend only to receivers that drop duplicates: uncertain for the others", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const c = await join(room, "C");
    const a = await join(room, "A", { capabilities: ["receipts", "delivery"] });
    a.send(note(1, ["B", "C"], { sid: "s1", seq: 1, receipt: true, resent: true }));
    expect(await a.next()).toMatchObject({
      type: "receipt",
      data: { status: { B: "sent", C: "uncertain" } },
    });
    expect((await mail(b)).frames).toMatchObject([{ data: { n: 1 }, resent: true }]);
    await expectQuiet(c, a, "C", "A");
  });

  it("keeps a resending sender's frame in memory, and acks it only once the receiver confirmed it", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const { inbox: a } = await identifyFresh(room, "A", { capabilities: ["acks", "delivery"] });
    a.send({ ...note(1), id: 5 });
    const got = await mail(b);
    expect(await storedRows(room)).toBe(0);
    // No ack yet: A gets nothing before a marker but the marker's own mail frame.
    (await join(room, "C")).send({ type: "marker", target: "A" });
    expect((await mail(a)).frames).toMatchObject([{ type: "marker" }]);
    b.send(cmd("received", { through: got.first }, "server", "B"));
    expect(await a.next()).toMatchObject({ type: "ack", data: { id: 5 } });
  });

  it("writes a resending sender's unconfirmed frame when the receiver's socket goes, and acks it then", async () => {
    const room = freshRoom();
    const first = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const { inbox: a } = await identifyFresh(room, "A", { capabilities: ["acks", "delivery"] });
    a.send({ ...note(1), id: 5 });
    await mail(first.inbox);
    first.inbox.socket.close(3000);
    expect(await a.next()).toMatchObject({ type: "ack", data: { id: 5 } });
    expect(await storedRows(room)).toBe(1);
    const back = await identifyFresh(room, "B", {
      capabilities: RECEIVER,
      resume: first.identified.resume,
    });
    expect((await mail(back.inbox)).frames).toMatchObject([{ data: { n: 1 }, from: "A" }]);
  });

  it("writes a frame its receiver has not confirmed within a second, and acks it then", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const { inbox: a } = await identifyFresh(room, "A", { capabilities: ["acks", "delivery"] });
    a.send({ ...note(1), id: 5 });
    await mail(b);
    expect(await a.next(5_000)).toMatchObject({ type: "ack", data: { id: 5 } });
    expect(await storedRows(room)).toBe(1);
  });

  it("refuses a malformed delivery field with BAD_ENVELOPE, and nobody gets the frame", async () => {
    const room = freshRoom();
    const { inbox: b } = await identifyFresh(room, "B", { capabilities: RECEIVER });
    const a = await join(room, "A", { capabilities: ["errors", "receipts"] });
    a.send(note(1, "B", { receipt: true }));
    expect(await a.next()).toMatchObject({
      type: "error",
      data: { code: "BAD_ENVELOPE", message: "receipt needs sid and seq" },
    });
    a.send(note(2, "B", { sid: "s1", seq: 0 }));
    expect(await a.next()).toMatchObject({
      data: { code: "BAD_ENVELOPE", message: "seq must be a positive integer" },
    });
    // B got nothing before the marker but the marker's own mail frame.
    a.send({ type: "marker", target: "B" });
    expect((await mail(b)).frames).toMatchObject([{ type: "marker" }]);
  });

  it("passes the fields of a client without the capabilities through untouched", async () => {
    const room = freshRoom();
    const c = await join(room, "C");
    const a = await join(room, "A", { capabilities: ["errors"] });
    a.send(note(1, "C", { receipt: "yes", seq: -1 }));
    expect(await c.next()).toMatchObject({ data: { n: 1 }, receipt: "yes", seq: -1 });
  });
});

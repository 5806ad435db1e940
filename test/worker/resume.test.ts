import { describe, expect, it } from "vitest";
import { cmd, type Frame } from "../support/inbox.js";
import { commandOf, expectQuiet, sync } from "../support/session.js";
import { freshRoom, join, open } from "./connect.js";

const RESUME = { capabilities: ["errors", "resume"] };

async function identified(inbox: Awaited<ReturnType<typeof open>>): Promise<Frame> {
  const ack = await inbox.next();
  expect(commandOf(ack)).toBe("identified");
  return ack;
}

function secretOf(ack: Frame): string {
  const resume = (ack.data as { kwargs: { resume?: unknown } }).kwargs.resume;
  if (typeof resume !== "string") throw new Error(`no resume secret in ${JSON.stringify(ack)}`);
  return resume;
}

async function joinWithSecret(
  room: string,
  name: string,
): Promise<[Awaited<ReturnType<typeof open>>, string]> {
  const inbox = await open(room);
  await inbox.take(2);
  inbox.send(cmd("identify", { name, ...RESUME }));
  const secret = secretOf(await identified(inbox));
  inbox.answerProbesAs = name;
  return [inbox, secret];
}

describe("resume secrets and takeover", () => {
  it("hands out a resume secret only to clients that ask", async () => {
    const room = freshRoom();
    const [, secret] = await joinWithSecret(room, "A");
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const b = await open(room);
    await b.take(2);
    b.send(cmd("identify", { name: "B", capabilities: ["errors"] }));
    expect((await identified(b)).data).not.toHaveProperty("kwargs.resume");
  });

  it("lets the holder of the secret take its name back with a fresh secret; the old socket is closed with 4010", async () => {
    const room = freshRoom();
    const [old, secret] = await joinWithSecret(room, "A");
    const b = await join(room, "B");
    const fresh = await open(room);
    await fresh.take(2);
    fresh.send(cmd("identify", { name: "A", resume: secret, ...RESUME }));
    const ack = await identified(fresh);
    const renewed = secretOf(ack);
    expect(renewed).not.toBe(secret);
    expect(await old.closed()).toEqual({ code: 4010, reason: "replaced by a new connection" });
    b.send({ type: "t", data: "after", target: "A" });
    expect(await fresh.next()).toMatchObject({ data: "after", from: "B" });
    fresh.answerProbesAs = "A";
    // The secret it used is spent: presented again, it proves nothing.
    const replay = await open(room);
    await replay.take(2);
    replay.send(cmd("identify", { name: "A", resume: secret, ...RESUME }));
    expect(await replay.next(4_000)).toMatchObject({ data: { code: "NAME_TAKEN" } });
    expect(await replay.closed()).toMatchObject({ code: 4009 });
    await expectQuiet(fresh, b, "A", "B");
  });

  it("leaves no gap: every frame to the name reaches the old or the new socket, in order", async () => {
    const room = freshRoom();
    const [old, secret] = await joinWithSecret(room, "A");
    const b = await join(room, "B");
    const fresh = await open(room);
    await fresh.take(2);
    // B sends a numbered stream; the takeover lands somewhere in the middle of it.
    for (let i = 0; i < 100; i++) b.send({ type: "seq", data: i, target: "A" });
    fresh.send(cmd("identify", { name: "A", resume: secret, ...RESUME }));
    for (let i = 100; i < 200; i++) b.send({ type: "seq", data: i, target: "A" });
    await sync(b, "B");
    await old.closed();
    const before = old.pending.filter((frame) => frame.type === "seq").map((frame) => frame.data);
    await identified(fresh);
    const after = fresh.pending.filter((frame) => frame.type === "seq").map((frame) => frame.data);
    expect([...before, ...after]).toEqual([...Array(200).keys()]);
  });

  it("refuses a wrong secret with NAME_TAKEN, and the holder keeps the name", async () => {
    const room = freshRoom();
    const [holder] = await joinWithSecret(room, "A");
    const b = await join(room, "B");
    const thief = await open(room);
    await thief.take(2);
    thief.send(cmd("identify", { name: "A", resume: "x".repeat(32), ...RESUME }));
    expect(await thief.next(4_000)).toMatchObject({ data: { code: "NAME_TAKEN" } });
    expect(await thief.closed()).toMatchObject({ code: 4009 });
    await expectQuiet(holder, b, "A", "B");
  });

  it("does not let the secret of one name take another", async () => {
    const room = freshRoom();
    const [, secretA] = await joinWithSecret(room, "A");
    await joinWithSecret(room, "C");
    const thief = await open(room);
    await thief.take(2);
    thief.send(cmd("identify", { name: "C", resume: secretA, ...RESUME }));
    expect(await thief.next()).toMatchObject({ data: { code: "NAME_TAKEN" } });
  });

  it("issues a new secret when a free name is taken without the old one", async () => {
    const room = freshRoom();
    const [first, secret] = await joinWithSecret(room, "A");
    first.socket.close(1000);
    await first.closed();
    // The name is free once the relay has seen the close; retry until it is.
    for (;;) {
      const next = await open(room);
      await next.take(2);
      next.send(cmd("identify", { name: "A", ...RESUME }));
      const frame = await next.next();
      if (commandOf(frame) === "identified") {
        expect(secretOf(frame)).not.toBe(secret);
        return;
      }
      await next.closed();
    }
  });

  it("retires a secret when a client without resume takes the free name", async () => {
    const room = freshRoom();
    const [first, secret] = await joinWithSecret(room, "A");
    first.socket.close(1000);
    await first.closed();
    // A seed client takes the name once the room has freed it.
    let seed: Awaited<ReturnType<typeof open>>;
    for (;;) {
      seed = await open(room);
      await seed.take(2);
      seed.send(cmd("indentify", { name: "A" }));
      seed.send(cmd("ping", {}, "server", "A"));
      const frame = await seed.next();
      if (commandOf(frame) === "pong") break;
    }
    seed.answerProbesAs = "A";
    const thief = await open(room);
    await thief.take(2);
    thief.send(cmd("identify", { name: "A", resume: secret, ...RESUME }));
    expect(await thief.next()).toMatchObject({ data: { code: "NAME_TAKEN" } });
    expect(await thief.closed()).toMatchObject({ code: 4009 });
    expect(await sync(seed, "A")).toEqual([]);
  });
});

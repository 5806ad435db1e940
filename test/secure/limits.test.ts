import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { TEST_LIMITS, TEST_ROOM_LIMITS } from "../support/secure-env.js";
import { expectQuiet, sync } from "../support/session.js";
import { join, open, roomStub, upgrade } from "../worker/connect.js";

const labRoom = () => `lab-${crypto.randomUUID()}`;
/** A room that the `tight-*` entry of `ROOM_LIMITS` matches. */
const tightRoom = () => `tight-${crypto.randomUUID()}`;
const TIGHT = TEST_ROOM_LIMITS["tight-*"];

describe("limits", () => {
  it("rate-limits a socket: an error first, then drops, then close 1008; others unharmed", async () => {
    const room = labRoom();
    const flooder = await join(room, "F", { capabilities: ["errors"] });
    const a = await join(room, "A");
    const b = await join(room, "B");
    const frames = TEST_LIMITS.frameBurst + TEST_LIMITS.maxDroppedFrames + 5;
    for (let i = 0; i < frames; i++) flooder.send({ type: "seq", data: i, target: "A" });
    const closed = await flooder.closed();
    expect(closed).toEqual({ code: 1008, reason: "rate limit" });
    const errors = flooder.pending.filter((frame) => frame.type === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ data: { code: "RATE_LIMITED" } });
    // A got the burst (less the identify and the ping that join() spent), then whatever the
    // refill let through, in order, and nothing else.
    const got = (await sync(a, "A")).map((frame) => Number(frame.data));
    const burst = TEST_LIMITS.frameBurst - 2;
    expect(got.slice(0, burst)).toEqual([...Array(burst).keys()]);
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(new Set(got).size).toBe(got.length);
    await expectQuiet(b, a, "B", "A");
  });

  it("refuses names longer than the room's maxNameLength", async () => {
    const inbox = await open(labRoom());
    await inbox.take(2);
    inbox.send(
      cmd("identify", {
        name: "x".repeat(TEST_LIMITS.maxNameLength + 1),
        capabilities: ["errors"],
      }),
    );
    expect(await inbox.next()).toMatchObject({ data: { code: "BAD_NAME" } });
  });

  it("refuses a name over the maxNameLength of the room's ROOM_LIMITS entry; other rooms take it", async () => {
    const name = "x".repeat(TIGHT.maxNameLength + 1);
    expect(name.length).toBeLessThanOrEqual(TEST_LIMITS.maxNameLength);
    const room = tightRoom();
    const a = await join(room, "A");
    const long = await open(room);
    await long.take(2);
    long.send(cmd("identify", { name, capabilities: ["errors"] }));
    expect(await long.next()).toMatchObject({ data: { code: "BAD_NAME" } });
    expect(await long.closed()).toMatchObject({ code: 4002 });
    expect(await sync(a, "A")).toEqual([]);
    await join(room, "x".repeat(TIGHT.maxNameLength));
    // A room no entry matches has LIMITS' maxNameLength.
    const other = labRoom();
    const b = await join(other, "B");
    await join(other, name);
    expect(await sync(b, "B")).toEqual([]);
  });

  it("refuses sockets over the maxConnections of the room's ROOM_LIMITS entry with 503; other rooms take more", async () => {
    const room = tightRoom();
    const joined = [];
    for (let i = 0; i < TIGHT.maxConnections; i++) joined.push(await join(room, `N${i}`));
    const full = await upgrade(room);
    expect(full.status).toBe(503);
    expect(await full.text()).toContain(`is full (${TIGHT.maxConnections} sockets)`);
    for (const [i, inbox] of joined.entries()) expect(await sync(inbox, `N${i}`)).toEqual([]);
    const other = labRoom();
    for (let i = 0; i <= TIGHT.maxConnections; i++) await join(other, `N${i}`);
    expect(TIGHT.maxConnections).toBeLessThan(TEST_LIMITS.maxConnections);
  });

  it("refuses sockets over maxUnidentified with 429, and over maxConnections with 503", async () => {
    const room = labRoom();
    const waiting = [];
    for (let i = 0; i < TEST_LIMITS.maxUnidentified; i++) waiting.push(await open(room));
    const refused = await upgrade(room);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("waiting to identify");
    for (const [i, inbox] of waiting.entries()) {
      await inbox.take(2);
      inbox.send(cmd("identify", { name: `N${i}` }));
      await sync(inbox, `N${i}`);
    }
    for (let i = waiting.length; i < TEST_LIMITS.maxConnections; i++) await join(room, `N${i}`);
    const full = await upgrade(room);
    expect(full.status).toBe(503);
    expect(await full.text()).toContain("is full");
  });

  it("closes a socket that does not identify in time with 4008", async () => {
    const room = labRoom();
    const idle = await open(room);
    const a = await join(room, "A");
    expect(await idle.closed(TEST_LIMITS.identifyTimeoutMs + 4_000)).toEqual({
      code: 4008,
      reason: "identify timeout",
    });
    expect(await sync(a, "A")).toEqual([]);
  });

  it("answers heartbeats, and frees the name of a socket whose heartbeats stop", async () => {
    const room = labRoom();
    const beating = await join(room, "Beat", { capabilities: ["errors", "heartbeat"] });
    const silent = await join(room, "Quiet", { capabilities: ["errors", "heartbeat"] });
    const seed = await join(room, "Seed");
    beating.send('{"type":"heartbeat"}');
    expect(await beating.next()).toEqual({ type: "heartbeat", from: "server" });
    // Keep one socket beating while the other goes quiet, until the relay takes it for dead.
    const closed = silent.closed(TEST_LIMITS.heartbeatTimeoutMs * 6);
    let dead = false;
    void closed.then(() => {
      dead = true;
    });
    while (!dead) {
      beating.send('{"type":"heartbeat"}');
      await beating.next();
      await runDurableObjectAlarm(roomStub(room));
    }
    expect(await closed).toEqual({ code: 4011, reason: "heartbeat timeout" });
    beating.send({ type: "t", data: 1, target: ["Quiet", "Seed"] });
    expect(await seed.next()).toMatchObject({ data: 1 });
    expect(await beating.next()).toMatchObject({
      data: { code: "UNDELIVERED", targets: ["Quiet"] },
    });
  });

  it("counts every frame of a batch against the rate limit", async () => {
    const room = labRoom();
    const b = await join(room, "B");
    const a = await join(room, "A", { capabilities: ["errors", "batch"] });
    // join() spent two tokens (the identify and a ping), and ten pings sent with the batch
    // spend ten more: a full batch does not fit unless 240 ms pass between join and batch.
    const PINGS = 10;
    for (let i = 0; i < PINGS; i++) a.send(cmd("ping", {}, "server", "A"));
    const frames = Array.from({ length: TEST_LIMITS.maxBatchFrames }, (_, i) => ({
      type: "n",
      data: i,
      target: "B",
    }));
    a.send({ type: "batch", data: frames, target: "server" });
    for (let i = 0; i < PINGS; i++) {
      expect(await a.next()).toMatchObject({ data: { cmd: "pong" } });
    }
    expect(await a.next()).toMatchObject({ type: "error", data: { code: "RATE_LIMITED" } });
    await expectQuiet(b, a, "B", "A");
  });

  it("closes a client with acks at its first dropped frame (1013), acking what it took", async () => {
    const room = labRoom();
    const a = await join(room, "A", { capabilities: ["errors", "acks"] });
    const b = await join(room, "B");
    for (let i = 0; i < TEST_LIMITS.frameBurst + 5; i++) {
      a.send({ type: "n", data: i, target: "B", id: i });
    }
    expect(await a.closed()).toEqual({ code: 1013, reason: "rate limit" });
    const acks = a.pending.filter((frame) => frame.type === "ack");
    const errors = a.pending.filter((frame) => frame.type === "error");
    expect(errors).toMatchObject([{ data: { code: "RATE_LIMITED" } }]);
    // The last ack names the last frame B got: nothing dropped was confirmed.
    const delivered = (await sync(b, "B")).map((frame) => frame.data);
    expect(delivered).toEqual([...Array(delivered.length).keys()]);
    expect(acks.at(-1)?.data).toEqual({ id: delivered.length - 1 });
  });
});

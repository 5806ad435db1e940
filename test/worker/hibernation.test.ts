import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { commandOf, expectQuiet } from "../support/session.js";
import { ALL_EXTENSIONS, freshRoom, join, open, roomStub } from "./connect.js";

describe("eviction and hibernation", () => {
  it("keeps the room epoch when the Durable Object is evicted", async () => {
    const room = freshRoom();
    const first = await open(room);
    const [, before] = await first.take(2);
    await evictDurableObject(roomStub(room), { webSockets: "close" });
    await first.closed();
    const second = await open(room);
    const [, after] = await second.take(2);
    expect(commandOf(after ?? {})).toBe("set_time");
    expect(after).toEqual(before);
  });

  it("routes by name after the room hibernates and wakes up", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    const b = await join(room, "B");
    const c = await join(room, "C");
    const stub = roomStub(room);
    // A mark in memory that only the evicted instance carries.
    await runInDurableObject(stub, (instance) => {
      Object.assign(instance, { mark: true });
    });
    await evictDurableObject(stub);
    a.send(cmd("hello", {}, ["B", "Ghost"], "A"));
    expect(await b.next()).toMatchObject({ from: "A", data: { cmd: "hello" } });
    expect(await a.next()).toMatchObject({ data: { code: "UNDELIVERED", targets: ["Ghost"] } });
    expect(await runInDurableObject(stub, (instance) => Object.hasOwn(instance, "mark"))).toBe(
      false,
    );
    await expectQuiet(c, b, "C", "B");
  });

  it("keeps names held across hibernation", async () => {
    const room = freshRoom();
    await join(room, "A");
    await evictDurableObject(roomStub(room));
    const twin = await open(room);
    await twin.take(2);
    twin.send(cmd("identify", { name: "A" }));
    expect(await twin.closed()).toEqual({ code: 4009, reason: "name taken" });
  });

  it("keeps resume secrets across eviction: the holder of the secret still takes its name back", async () => {
    const room = freshRoom();
    const old = await open(room);
    await old.take(2);
    old.send(cmd("identify", { name: "A", capabilities: ["resume"] }));
    const ack = await old.next();
    const secret = (ack.data as { kwargs: { resume: string } }).kwargs.resume;
    await evictDurableObject(roomStub(room));
    const fresh = await open(room);
    await fresh.take(2);
    fresh.send(cmd("identify", { name: "A", capabilities: ["resume"], resume: secret }));
    const renewed = await fresh.next();
    expect(renewed).toMatchObject({ data: { cmd: "identified" } });
    expect((renewed.data as { kwargs: { resume: string } }).kwargs.resume).not.toBe(secret);
    expect(await old.closed()).toMatchObject({ code: 4010 });
  });
});

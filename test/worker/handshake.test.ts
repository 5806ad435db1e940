import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cmd, handshakeTexts } from "../support/inbox.js";
import { commandOf, sync, timeOf } from "../support/session.js";
import { ALL_EXTENSIONS, freshRoom, join, open, roomStub } from "./connect.js";

async function storedEpoch(room: string): Promise<unknown> {
  return runInDurableObject(roomStub(room), (_instance, state) => state.storage.kv.get("epoch"));
}

describe("the handshake", () => {
  it("sends indentify and set_time, byte for byte as the protocol says", async () => {
    const room = freshRoom();
    const inbox = await open(room);
    await inbox.take(2);
    const epoch = await storedEpoch(room);
    expect(typeof epoch).toBe("number");
    expect(inbox.raw).toEqual(handshakeTexts(epoch as number));
  });

  it("sends the same epoch to every socket, as seconds since 1970", async () => {
    const room = freshRoom();
    const before = Date.now() / 1000;
    const first = await open(room);
    const [, a] = await first.take(2);
    const second = await open(room);
    const [, b] = await second.take(2);
    expect(a).toEqual(b);
    const time = timeOf(a);
    expect(time).toBeGreaterThan(before - 60);
    expect(time).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it.each(["indentify", "identify"])("accepts the identify spelled %s", async (spelling) => {
    const room = freshRoom();
    const a = await open(room);
    await a.take(2);
    a.send(cmd(spelling, { name: "A" }, "server", "A"));
    const b = await join(room, "B");
    b.send(cmd("hello", {}, "A", "B"));
    expect(await a.next()).toMatchObject({ from: "B", data: { cmd: "hello" } });
  });

  it("answers every other frame before identify with the handshake again", async () => {
    const room = freshRoom();
    const inbox = await open(room);
    await inbox.take(2);
    const frames: Array<string | Uint8Array> = [
      "not json",
      "[]",
      JSON.stringify(cmd("hello", {}, "B")),
      JSON.stringify(cmd("ping", {}, "server")),
      JSON.stringify({ type: "message", data: 1, target: ["server"] }),
      new Uint8Array([1, 2, 3]),
    ];
    for (const frame of frames) {
      inbox.send(frame);
      const again = await inbox.take(2);
      expect(again.map(commandOf)).toEqual(["indentify", "set_time"]);
    }
    const raw = inbox.raw;
    expect(raw).toHaveLength(2 + frames.length * 2);
    for (let i = 2; i < raw.length; i += 2) expect(raw.slice(i, i + 2)).toEqual(raw.slice(0, 2));
  });

  it("delivers nothing from a socket before it identifies", async () => {
    const room = freshRoom();
    const b = await join(room, "B");
    const stranger = await open(room);
    await stranger.take(2);
    stranger.send(cmd("hello", {}, "B", "stranger"));
    stranger.send(cmd("hello", {}, "*", "stranger"));
    await stranger.take(4);
    const a = await join(room, "A");
    a.send({ type: "marker", data: 1, from: "A", target: "B" });
    expect(await b.next()).toMatchObject({ type: "marker", from: "A" });
  });

  it("acknowledges an identify only to a client that asked for capabilities", async () => {
    const room = freshRoom();
    const seed = await join(room, "Seed");
    expect(await sync(seed, "Seed")).toEqual([]);

    const modern = await open(room);
    const [, setTime] = await modern.take(2);
    modern.send(cmd("identify", { name: "Modern", capabilities: ["errors", "undelivered", "x"] }));
    expect(await modern.next()).toEqual({
      type: "cmd",
      data: {
        cmd: "identified",
        args: [],
        kwargs: {
          name: "Modern",
          capabilities: ["errors", "undelivered"],
          time: timeOf(setTime),
          maxFrameBytes: 1_048_576,
        },
      },
      from: "server",
      target: ["Modern"],
    });
  });

  it("lets a socket identify again under its own name, and refuses another name", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    a.send(cmd("identify", { name: "A", capabilities: ["errors"] }));
    expect(commandOf(await a.next())).toBe("identified");
    a.send(cmd("identify", { name: "Other" }));
    expect(await a.next()).toMatchObject({
      type: "error",
      data: { code: "ALREADY_IDENTIFIED", ref: { type: "cmd", cmd: "identify" } },
    });
  });
});

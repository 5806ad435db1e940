import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { expectQuiet, sync } from "../support/session.js";
import { ALL_EXTENSIONS, freshRoom, join } from "./connect.js";

describe("routing", () => {
  it("delivers to one name, with from set to the sender's identified name", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    a.send({ type: "message", data: { content: "hi" }, from: "Mallory", target: ["B"], id: 7 });
    expect(await b.next()).toEqual({
      type: "message",
      data: { content: "hi" },
      from: "A",
      target: ["B"],
      id: 7,
    });
  });

  it("stamps from on a frame that left it out", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    a.send({ type: "message", data: 1, target: "B" });
    expect(await b.next()).toEqual({ type: "message", data: 1, from: "A", target: ["B"] });
  });

  it("delivers to several names, each once, and not to others", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    const c = await join(room, "C");
    const d = await join(room, "D");
    a.send(cmd("go", {}, ["B", "C", "B"], "A"));
    expect(await b.next()).toMatchObject({ from: "A", data: { cmd: "go" } });
    expect(await c.next()).toMatchObject({ from: "A", data: { cmd: "go" } });
    await expectQuiet(b, a, "B", "A");
    await expectQuiet(d, a, "D", "A");
  });

  it("matches whole names only: a string target that is a prefix reaches only that name", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const player = await join(room, "Player");
    const player1 = await join(room, "Player1");
    a.send(cmd("serve", {}, "Player", "A"));
    expect(await player.next()).toMatchObject({ from: "A", data: { cmd: "serve" } });
    await expectQuiet(player1, a, "Player1", "A");
    a.send(cmd("serve", {}, "Play", "A"));
    await expectQuiet(player, a, "Player", "A");
    await expectQuiet(player1, a, "Player1", "A");
  });

  it('sends "*" to every identified client but the sender', async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const others = await Promise.all(["B", "C", "D"].map((name) => join(room, name)));
    a.send({ type: "message", data: "all", from: "A", target: "*" });
    for (const inbox of others) {
      expect(await inbox.next()).toEqual({
        type: "message",
        data: "all",
        from: "A",
        target: ["*"],
      });
    }
    expect(await sync(a, "A")).toEqual([]);
  });

  it("lets a client address itself", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    a.send({ type: "note", data: 1, from: "A", target: "A" });
    expect(await a.next()).toMatchObject({ type: "note", from: "A" });
  });

  it("still delivers to the targets that are there when some are absent", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    a.send(cmd("go", {}, ["Ghost", "B"], "A"));
    expect(await b.next()).toMatchObject({ from: "A" });
    expect(await sync(a, "A")).toEqual([]);
  });

  it("tells a client that asked which targets were not connected", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    const b = await join(room, "B");
    a.send({
      type: "message",
      data: 1,
      from: "A",
      target: ["Ghost", "B", "Ghost", "Nobody"],
      id: "m1",
    });
    expect(await b.next()).toMatchObject({ from: "A" });
    expect(await a.next()).toEqual({
      type: "error",
      data: {
        code: "UNDELIVERED",
        message: "not connected: Ghost, Nobody",
        ref: { id: "m1", type: "message" },
        targets: ["Ghost", "Nobody"],
      },
      from: "server",
      target: ["A"],
    });
  });

  it("reports undelivered targets with only the undelivered capability", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["undelivered"] });
    a.send({ type: "message", data: 1, from: "A", target: "Ghost" });
    a.send("not json");
    const frames = await sync(a, "A");
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ type: "error", data: { code: "UNDELIVERED" } });
  });

  it("frees a name when its socket closes", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    const b = await join(room, "B");
    b.socket.close(1000, "bye");
    await b.closed();
    // The close reaches the room asynchronously: wait until the name is reported missing.
    for (;;) {
      a.send({ type: "message", data: 1, from: "A", target: "B" });
      const frames = await sync(a, "A");
      if (frames.some((frame) => (frame.data as { code?: string }).code === "UNDELIVERED")) break;
    }
    const again = await join(room, "B");
    a.send({ type: "message", data: 2, from: "A", target: "B" });
    expect(await again.next()).toMatchObject({ data: 2, from: "A" });
  });

  it("keeps the order of frames from one sender", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    for (let i = 0; i < 200; i++) a.send({ type: "seq", data: i, from: "A", target: "B" });
    const frames = await b.take(200);
    expect(frames.map((frame) => frame.data)).toEqual([...Array(200).keys()]);
  });
});

import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { commandOf, expectQuiet, sync } from "../support/session.js";
import { freshRoom, join, open } from "./connect.js";

const BATCHING = { capabilities: ["errors", "batch", "acks"] };

const batch = (frames: object[], id?: number) => ({
  type: "batch",
  data: frames,
  target: ["server"],
  ...(id === undefined ? {} : { id }),
});

describe("batches", () => {
  it("routes every frame of a batch in order, with from stamped on each", async () => {
    const room = freshRoom();
    const a = await join(room, "A", BATCHING);
    const seed = await join(room, "Seed");
    a.send(batch([1, 2, 3].map((n) => ({ type: "n", data: n, from: "X", target: "Seed" }))));
    expect(await seed.take(3)).toEqual(
      [1, 2, 3].map((n) => ({ type: "n", data: n, from: "A", target: ["Seed"] })),
    );
  });

  it("delivers what one event produced for a batching client as one batch frame", async () => {
    const room = freshRoom();
    const a = await join(room, "A", BATCHING);
    const b = await join(room, "B", BATCHING);
    a.send(batch([{ type: "n", data: 1, target: "B" }, cmd("go", { n: 2 }, "B")]));
    const frame = await b.next();
    expect(frame).toEqual({
      type: "batch",
      data: [
        { type: "n", data: 1, target: ["B"], from: "A" },
        { type: "cmd", data: { cmd: "go", args: [], kwargs: { n: 2 } }, from: "A", target: ["B"] },
      ],
      from: "server",
      target: ["B"],
    });
    a.send(batch([{ type: "n", data: 3, target: "B" }]));
    expect(await b.next()).toEqual({ type: "n", data: 3, target: ["B"], from: "A" });
  });

  it("reports a bad frame inside a batch and routes the others", async () => {
    const room = freshRoom();
    const a = await join(room, "A", BATCHING);
    a.unwrapBatches = true;
    const b = await join(room, "B");
    a.send(
      batch(
        [
          { type: "n", data: 1, target: "B" },
          { type: 5, id: "bad", target: "B" },
          { type: "n", data: 3, target: "B" },
        ],
        9,
      ),
    );
    expect((await b.take(2)).map((frame) => frame.data)).toEqual([1, 3]);
    const [error, ack] = await a.take(2);
    expect(error).toMatchObject({
      type: "error",
      data: { code: "BAD_ENVELOPE", ref: { id: "bad" } },
    });
    expect(ack).toEqual({ type: "ack", data: { id: 9 }, from: "server", target: ["A"] });
  });

  it.each([
    ["an empty batch", []],
    ["a batch that is not a list", { type: "n" }],
    ["a batch holding a batch", [{ type: "batch", data: [], target: "server" }]],
    ["a batch holding a number", [1]],
    ["a batch over maxBatchFrames", Array(1_001).fill({ type: "n", target: "B" })],
  ])("refuses %s with BAD_BATCH, delivering nothing", async (_what, data) => {
    const room = freshRoom();
    const a = await join(room, "A", BATCHING);
    a.unwrapBatches = true;
    const b = await join(room, "B");
    a.send({ type: "batch", data, target: "server", id: 4 });
    expect(await a.next()).toMatchObject({
      type: "error",
      data: { code: "BAD_BATCH", ref: { id: 4 } },
    });
    expect(await a.next()).toMatchObject({ type: "ack", data: { id: 4 } });
    await expectQuiet(b, a, "B", "A");
  });

  it("leaves type batch to the application for clients that did not ask for batches", async () => {
    const room = freshRoom();
    const old = await join(room, "Old", { capabilities: ["errors"] });
    const b = await join(room, "B");
    old.send({ type: "batch", data: [1, 2], target: "B" });
    expect(await b.next()).toEqual({ type: "batch", data: [1, 2], target: ["B"], from: "Old" });
    old.send({ type: "batch", data: [{ type: "n", target: "B" }], target: "server" });
    expect(await old.next()).toMatchObject({ data: { code: "NOT_A_COMMAND" } });
  });
});

describe("acks", () => {
  it("confirm frames with ids after their deliveries and errors, riding with other frames", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors", "undelivered", "acks"] });
    const b = await join(room, "B");
    a.send({ type: "n", data: 1, target: ["B", "Ghost"], id: 1 });
    a.send({ type: "n", data: 2, target: "B" });
    a.send({ type: "n", data: 3, target: "B", id: "three" });
    a.send('{"broken":');
    const frames = await sync(a, "A");
    expect(
      frames.map((frame) => [
        frame.type,
        (frame.data as { code?: string; id?: unknown }).code ?? (frame.data as { id?: unknown }).id,
      ]),
    ).toEqual([
      ["error", "UNDELIVERED"],
      ["ack", 1],
      // The ack of "three" waited for company: the next frames the room sent A.
      ["error", "BAD_JSON"],
      ["ack", "three"],
    ]);
    expect((await b.take(3)).map((frame) => frame.data)).toEqual([1, 2, 3]);
  });

  it("go out on their own after a short delay when nothing else goes to the client", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors", "acks"] });
    const b = await join(room, "B");
    a.send({ type: "n", data: 1, target: "B", id: 5 });
    a.send({ type: "n", data: 2, target: "B", id: 6 });
    expect((await b.take(2)).map((frame) => frame.data)).toEqual([1, 2]);
    // Usually one ack, for the later id (acks are cumulative); two if the delay ran out
    // between the frames.
    const acks: unknown[] = [];
    while (acks.at(-1) !== 6) {
      const frame = await a.next();
      expect(frame).toMatchObject({ type: "ack", from: "server", target: ["A"] });
      acks.push((frame.data as { id: unknown }).id);
    }
    expect([[6], [5, 6]]).toContainEqual(acks);
    expect(await sync(a, "A")).toEqual([]);
  });

  it("ride in the batch of a client that batches", async () => {
    const room = freshRoom();
    const a = await join(room, "A", BATCHING);
    const b = await join(room, "B", BATCHING);
    a.send({ type: "n", data: 1, target: "B", id: 1 });
    expect(await b.next()).toMatchObject({ data: 1 });
    b.send({ type: "n", data: 2, target: "A", id: 1 });
    expect(await a.next()).toEqual({
      type: "batch",
      data: [
        { type: "n", data: 2, target: ["A"], id: 1, from: "B" },
        { type: "ack", data: { id: 1 }, from: "server", target: ["A"] },
      ],
      from: "server",
      target: ["A"],
    });
  });

  it("go only to clients that asked", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors"] });
    await join(room, "B");
    a.send({ type: "n", data: 1, target: "B", id: 1 });
    expect(await sync(a, "A")).toEqual([]);
  });

  it("confirm an identify that carries an id", async () => {
    const room = freshRoom();
    const inbox = await open(room);
    inbox.unwrapBatches = true;
    await inbox.take(2);
    inbox.send({ ...cmd("identify", { name: "A", ...BATCHING }), id: 0 });
    expect(commandOf(await inbox.next())).toBe("identified");
    expect(await inbox.next()).toMatchObject({ type: "ack", data: { id: 0 } });
  });
});

describe("acks at a close", () => {
  it("go out before the room answers a client's close", async () => {
    const room = freshRoom();
    const a = await join(room, "A", { capabilities: ["errors", "acks"] });
    const b = await join(room, "B");
    a.send({ type: "n", data: 1, target: "B", id: 9 });
    expect(await b.next()).toMatchObject({ data: 1 });
    a.socket.close(1000, "bye");
    await a.closed();
    expect(a.pending).toContainEqual({
      type: "ack",
      data: { id: 9 },
      from: "server",
      target: ["A"],
    });
  });
});

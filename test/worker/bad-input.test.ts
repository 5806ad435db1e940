import { describe, expect, it } from "vitest";
import { cmd, type Inbox } from "../support/inbox.js";
import { expectQuiet, sync } from "../support/session.js";
import { ALL_EXTENSIONS, freshRoom, join } from "./connect.js";

const deep = (levels: number): string => `${"[".repeat(levels)}${"]".repeat(levels)}`;

/** Each bad frame, the code the sender gets, and what the error's ref must hold. */
const BAD_FRAMES: Array<[string, string | Uint8Array, string, Record<string, unknown>]> = [
  ["not JSON", "{nope", "BAD_JSON", { excerpt: "{nope" }],
  ["an empty frame", "", "BAD_JSON", { excerpt: "" }],
  ["a JSON array", "[1,2]", "NOT_AN_OBJECT", { excerpt: "[1,2]" }],
  ["a JSON string", '"hi"', "NOT_AN_OBJECT", {}],
  ["JSON null", "null", "NOT_AN_OBJECT", {}],
  ["a binary frame", new Uint8Array([123, 125]), "BINARY_FRAME", {}],
  ["no type", JSON.stringify({ data: 1, target: "B" }), "BAD_ENVELOPE", {}],
  ["a numeric type", JSON.stringify({ type: 5, data: 1, target: "B" }), "BAD_ENVELOPE", {}],
  ["an empty type", JSON.stringify({ type: "", target: "B" }), "BAD_ENVELOPE", {}],
  ["no target", JSON.stringify({ type: "t", data: 1, id: "x1" }), "BAD_TARGET", { id: "x1" }],
  ["a numeric target", JSON.stringify({ type: "t", target: 5 }), "BAD_TARGET", { type: "t" }],
  ["an empty target list", JSON.stringify({ type: "t", target: [] }), "BAD_TARGET", {}],
  ["a number in the targets", JSON.stringify({ type: "t", target: ["B", 1] }), "BAD_TARGET", {}],
  ["an empty target name", JSON.stringify({ type: "t", target: "" }), "BAD_TARGET", {}],
  [
    "too many targets",
    JSON.stringify({ type: "t", target: Array(257).fill("B") }),
    "BAD_TARGET",
    {},
  ],
  ["a numeric from", JSON.stringify({ type: "t", from: 1, target: "B" }), "BAD_ENVELOPE", {}],
  ["a negative id", JSON.stringify({ type: "t", id: -1, target: "B" }), "BAD_ENVELOPE", {}],
  ["an object id", JSON.stringify({ type: "t", id: {}, target: "B" }), "BAD_ENVELOPE", {}],
  [
    "a command without data",
    JSON.stringify({ type: "cmd", target: "B" }),
    "BAD_ENVELOPE",
    { type: "cmd" },
  ],
  [
    "a command without cmd",
    JSON.stringify({ type: "cmd", data: {}, target: "B" }),
    "BAD_ENVELOPE",
    {},
  ],
  [
    "a numeric cmd",
    JSON.stringify({ type: "cmd", data: { cmd: 1 }, target: "B" }),
    "BAD_ENVELOPE",
    {},
  ],
  [
    "args that are not a list",
    JSON.stringify({ type: "cmd", data: { cmd: "go", args: {} }, target: "B" }),
    "BAD_ENVELOPE",
    { cmd: "go" },
  ],
  [
    "kwargs that are not an object",
    JSON.stringify({ type: "cmd", data: { cmd: "go", kwargs: [] }, target: "B" }),
    "BAD_ENVELOPE",
    { cmd: "go" },
  ],
  ["nesting past the limit", `{"type":"t","target":"B","data":${deep(40)}}`, "TOO_DEEP", {}],
  [
    "a frame over 1 MiB",
    JSON.stringify({ type: "t", target: "B", data: "x".repeat(1_048_576) }),
    "FRAME_TOO_LARGE",
    {},
  ],
  [
    "a message to the relay",
    JSON.stringify({ type: "t", target: "server" }),
    "NOT_A_COMMAND",
    { type: "t" },
  ],
];

async function room3(): Promise<[Inbox, Inbox, Inbox]> {
  const room = freshRoom();
  const sender = await join(room, "S", ALL_EXTENSIONS);
  const b = await join(room, "B");
  const c = await join(room, "C");
  return [sender, b, c];
}

describe("bad input", () => {
  it.each(BAD_FRAMES)(
    "answers %s with a clear error, and nobody else notices",
    async (_what, frame, code, ref) => {
      const [sender, b, c] = await room3();
      sender.send(frame);
      const error = await sender.next();
      expect(error).toMatchObject({
        type: "error",
        from: "server",
        target: ["S"],
        data: { code, ref },
      });
      expect((error.data as { message: string }).message.length).toBeGreaterThan(5);
      expect(await sync(sender, "S")).toEqual([]);
      await expectQuiet(b, c, "B", "C");
      await expectQuiet(c, b, "C", "B");
      sender.send({ type: "t", data: "fine", target: "B" });
      expect(await b.next()).toMatchObject({ data: "fine", from: "S" });
    },
  );

  it("drops bad frames from a seed client without answering", async () => {
    const room = freshRoom();
    const seed = await join(room, "Seed");
    const b = await join(room, "B");
    for (const [, frame] of BAD_FRAMES) seed.send(frame);
    expect(await sync(seed, "Seed")).toEqual([]);
    await expectQuiet(b, seed, "B", "Seed");
  });

  it("pollutes nothing with __proto__ and constructor keys", async () => {
    const [sender, b] = await room3();
    const text =
      '{"type":"t","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"target":"B","data":{"__proto__":{"y":2}}}';
    sender.send(text);
    const frame = await b.next();
    expect(Object.hasOwn(frame, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(frame.from).toBe("S");
    expect(await sync(sender, "S")).toEqual([]);
  });

  it("lets no duplicate from key through", async () => {
    const [sender, b] = await room3();
    sender.send('{"type":"t","from":"B","target":"B","from":"C","data":1}');
    const frame = await b.next();
    expect(frame.from).toBe("S");
    expect(b.raw.at(-1)?.match(/"from"/g)).toHaveLength(1);
  });

  it("delivers 1,000 messages in order while another client sends 1,000 bad frames", async () => {
    const room = freshRoom();
    const flooder = await join(room, "Flood", ALL_EXTENSIONS);
    const a = await join(room, "A");
    const b = await join(room, "B");
    const bad = ["{", "[]", '{"type":1}', JSON.stringify(cmd("nope", {}, "server"))];
    for (let i = 0; i < 1000; i++) {
      flooder.send(bad[i % bad.length] ?? "");
      a.send({ type: "seq", data: i, target: "B" });
      b.send({ type: "seq", data: i, target: "A" });
    }
    const [atB, atA] = await Promise.all([b.take(1000, 20_000), a.take(1000, 20_000)]);
    expect(atB.map((frame) => frame.data)).toEqual([...Array(1000).keys()]);
    expect(atA.map((frame) => frame.data)).toEqual([...Array(1000).keys()]);
    expect(atB.every((frame) => frame.from === "A")).toBe(true);
    const errors = await flooder.take(1000, 20_000);
    expect(errors.every((frame) => frame.type === "error")).toBe(true);
    expect(await sync(a, "A")).toEqual([]);
  });

  it("delivers once to a target list of one name repeated 256 times", async () => {
    const [sender, b, c] = await room3();
    sender.send({ type: "t", data: "once", target: Array(256).fill("B") });
    expect(await b.next()).toMatchObject({ data: "once" });
    expect(await sync(b, "B")).toEqual([]);
    await expectQuiet(c, sender, "C", "S");
  });
});

/**
 * The wire module's pieces the client uses around its frames: ids and batches as text, the
 * decoders of the relay's own frames, and how the send path reads a frame.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BATCH_WRAPPER_BYTES,
  clientBatchText,
  decodeAckData,
  decodeErrorData,
  decodeIdentified,
  decodeSetTime,
  type JsonObject,
  relayBatchFrames,
  withIdText,
} from "wscomsrv-protocol";
import {
  outgoingOfObject,
  outgoingOfText,
  serialize,
  takesIdDirectly,
} from "../../src/client/outgoing.js";
import { utf8Length } from "../../src/client/utf8.js";

describe("withIdText", () => {
  it("adds the id and keeps every other character", () => {
    expect(withIdText('{"type":"a","target":"B"}', 3)).toBe('{"type":"a","target":"B","id":3}');
    expect(withIdText("{}", 1)).toBe('{"id":1}');
    expect(withIdText(" { \n } \n", 1)).toBe(' { \n "id":1}');
    expect(withIdText('{"a":{}} ', 7)).toBe('{"a":{},"id":7}');
  });

  it("makes the same object plus the id, for any object without one", () => {
    const object = fc
      .dictionary(fc.string(), fc.jsonValue())
      .filter((value) => !Object.hasOwn(value, "id"));
    fc.assert(
      fc.property(object, fc.nat(), fc.boolean(), (value, id, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(JSON.parse(withIdText(text, id))).toEqual({ ...(JSON.parse(text) as object), id });
      }),
    );
  });
});

describe("clientBatchText", () => {
  it("wraps frames without touching them, with and without an id", () => {
    const frames = ['{"type":"a","target":"B"}', '{"type":"b","target":["C"],"id":"x"}'];
    expect(JSON.parse(clientBatchText(frames, 12))).toEqual({
      type: "batch",
      data: frames.map((text) => JSON.parse(text)),
      target: ["server"],
      id: 12,
    });
    expect(JSON.parse(clientBatchText(frames))).not.toHaveProperty("id");
  });

  it("adds no more than BATCH_WRAPPER_BYTES around its frames", () => {
    const wrapper = utf8Length(clientBatchText([""], Number.MAX_SAFE_INTEGER));
    expect(wrapper).toBe(BATCH_WRAPPER_BYTES);
  });
});

describe("decoders of the relay's frames", () => {
  it("set_time", () => {
    expect(decodeSetTime({ time: 1.5 })).toEqual({ time: 1.5 });
    expect(decodeSetTime({ time: "1" })).toBeUndefined();
    expect(decodeSetTime([])).toBeUndefined();
  });

  it("identified: unknown capabilities are left out, a resume secret kept", () => {
    expect(
      decodeIdentified({ name: "A", capabilities: ["acks", "later", 3], time: 2, resume: "s" }),
    ).toEqual({ name: "A", capabilities: ["acks"], time: 2, resume: "s" });
    expect(decodeIdentified({ name: "A", capabilities: "acks", time: 2 })).toBeUndefined();
    expect(decodeIdentified({ name: "A", capabilities: [], time: null })).toBeUndefined();
  });

  it("error data", () => {
    expect(
      decodeErrorData({
        code: "UNDELIVERED",
        message: "m",
        ref: { id: 4, type: "t", cmd: 1 },
        targets: ["B", 2],
      }),
    ).toEqual({ code: "UNDELIVERED", message: "m", ref: { id: 4, type: "t" }, targets: ["B"] });
    expect(decodeErrorData({ code: "X" })).toBeUndefined();
  });

  it("ack data: a valid message id", () => {
    expect(decodeAckData({ id: 12 })).toEqual({ id: 12 });
    expect(decodeAckData({ id: "m1" })).toEqual({ id: "m1" });
    for (const id of [-1, 1.5, "", "x".repeat(129), null]) {
      expect(decodeAckData({ id } as JsonObject)).toBeUndefined();
    }
    expect(decodeAckData(undefined)).toBeUndefined();
  });

  it("relay batch: its frames, a peer's frame of type batch among them", () => {
    const peer = { type: "batch", data: [{ type: "batch", data: [] }], from: "A", target: ["B"] };
    const ack = { type: "ack", data: { id: 3 }, from: "server", target: ["B"] };
    const batch = (data: JsonObject[keyof JsonObject]) => ({
      type: "batch",
      data,
      from: "server",
      target: ["B"],
      id: 9,
    });
    expect(relayBatchFrames(batch([peer, ack]))).toEqual([peer, ack]);
    for (const data of [[], [peer, 1], {}, null]) {
      expect(relayBatchFrames(batch(data))).toMatchObject({
        code: "BAD_BATCH",
        ref: { type: "batch", id: 9 },
      });
    }
  });
});

describe("how the send path reads a frame", () => {
  it("from an object, without parsing its text", () => {
    const read = (message: object) => outgoingOfObject(message, JSON.stringify(message));
    expect(read({ type: "a", target: "B" })).toMatchObject({ isObject: true, hasId: false });
    expect(read({ type: "a", target: "B", id: 5 })).toMatchObject({ hasId: true, id: 5 });
    expect(read({ type: "a", target: "B", id: -5 })).toMatchObject({ hasId: true, id: undefined });
    expect(read({ type: "a", target: "B", id: undefined })).toMatchObject({ hasId: false });
    expect(read({ type: "a", target: "B", id: null })).toMatchObject({ hasId: true });
    expect(read([1, 2])).toMatchObject({ isObject: false, hasId: false });
    const withToJson = { toJSON: () => ({ type: "a", target: "B", id: "j" }) };
    expect(read(withToJson)).toMatchObject({ isObject: true, hasId: true, id: "j" });
  });

  it("serialises a plain object without an id with its id at once, anything else by editing its text", () => {
    expect(takesIdDirectly({ type: "a", target: "B" })).toBe(true);
    expect(takesIdDirectly({ type: "a", target: "B", id: undefined })).toBe(true);
    expect(takesIdDirectly(Object.assign(Object.create(null), { type: "a" }))).toBe(true);
    expect(takesIdDirectly({ type: "a", target: "B", id: 0 })).toBe(false);
    expect(takesIdDirectly({ type: "a", toJSON: () => ({}) })).toBe(false);
    expect(takesIdDirectly(new (class Frame {})())).toBe(false);
    expect(takesIdDirectly([1])).toBe(false);
    expect(takesIdDirectly('{"type":"a"}')).toBe(false);
    const message = { type: "a", target: "B" };
    expect(serialize({ ...message, id: 3 })).toBe(withIdText(serialize(message), 3));
  });

  it("refuses what JSON cannot serialise with a TypeError", () => {
    expect(() => serialize((() => 1) as unknown as object)).toThrow(TypeError);
    const circular: { self?: unknown } = {};
    circular.self = circular;
    expect(() => serialize(circular)).toThrow(TypeError);
  });

  it("from text, parsed once", () => {
    expect(outgoingOfText('{"id":"m","type":"a"}')).toMatchObject({ isObject: true, id: "m" });
    expect(outgoingOfText("not json")).toMatchObject({ isObject: false, hasId: false });
    expect(outgoingOfText("3")).toMatchObject({ isObject: false });
  });
});

/**
 * The inbox (capability `delivery`) on its own: the relay's mail numbers and the senders'
 * stream numbers drop duplicates, the dedup memory is bounded, `identified.mail` moves the
 * mark, and the confirmation goes back coalesced.
 */

import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ClientError, ClientErrorCode } from "../../src/client/errors.js";
import {
  Inbox,
  MAX_STREAMS,
  RECEIVED_INTERVAL_MS,
  STREAM_IDLE_MS,
} from "../../src/client/inbox.js";
import { Connection } from "../../src/client/transport.js";
import type {
  CapabilityName,
  Envelope,
  IdentifiedMail,
  JsonObject,
} from "../../src/protocol/index.js";
import { eventually } from "../support/sdk-client.js";

const connections: Connection[] = [];
afterEach(() => {
  for (const connection of connections.splice(0)) connection.detach();
});

/** An inbox on a connection it may send on, with what it sent and reported. */
function setup(granted: CapabilityName[] = ["delivery"], mail?: IdentifiedMail) {
  // A real connection object, only as the token the inbox sends on; nothing listens there.
  const connection = new Connection(WebSocket, "ws://127.0.0.1:9", {
    open: () => {},
    message: () => {},
    error: () => {},
    close: () => {},
  });
  connections.push(connection);
  const sent: string[] = [];
  const errors: ClientError[] = [];
  const clock = { now: 1_000_000 };
  const inbox = new Inbox(
    "gui",
    { sendable: connection, send: (_connection, text) => sent.push(text) },
    (error) => errors.push(error),
    () => clock.now,
  );
  inbox.identified({
    connection,
    granted,
    ...(mail === undefined ? {} : { mail }),
  });
  return { inbox, sent, errors, clock, connection };
}

/** A peer frame from `from`, with extra fields (`sid`, `seq`). */
function peer(from: string, extra: JsonObject = {}): [Envelope, JsonObject] {
  return [
    { type: "note", target: ["gui"], from },
    { type: "note", target: ["gui"], from, ...extra },
  ];
}

const throughOf = (text: string | undefined): unknown =>
  (JSON.parse(text ?? "{}") as { data?: { kwargs?: { through?: number } } }).data?.kwargs?.through;

describe("Inbox", () => {
  it("numbers the frames after a mail frame and drops a number handled already", async () => {
    const { inbox, sent } = setup();
    inbox.mail({ first: 1, count: 3 });
    expect([1, 2, 3].map(() => inbox.admit(...peer("A")))).toEqual([true, true, true]);
    // Past the count: unnumbered, taken as they come.
    expect(inbox.admit(...peer("A"))).toBe(true);
    expect(inbox.handled).toBe(3);
    // A replay that overlaps what was handled.
    inbox.mail({ first: 2, count: 3 });
    expect([2, 3, 4].map(() => inbox.admit(...peer("B")))).toEqual([false, false, true]);
    expect(inbox.handled).toBe(4);
    // One confirmation for the whole burst, with the highest number.
    await eventually(() => sent.length > 0, "the received command");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0] ?? "")).toEqual({
      type: "cmd",
      data: { cmd: "received", args: [], kwargs: { through: 4 } },
      from: "gui",
      target: ["server"],
    });
    // The next one waits for the next interval, and says only what is new.
    inbox.mail({ first: 5, count: 1 });
    const at = Date.now();
    inbox.admit(...peer("A"));
    await eventually(() => sent.length > 1, "the second received command");
    expect(Date.now() - at).toBeGreaterThanOrEqual(RECEIVED_INTERVAL_MS - 2);
    expect(sent.map(throughOf)).toEqual([4, 5]);
  });

  it("drops a frame whose seq is not above its stream's mark, and still confirms its number", async () => {
    const { inbox, sent } = setup();
    inbox.mail({ first: 10, count: 4 });
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 1 }))).toBe(true);
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 2 }))).toBe(true);
    // The same frame sent again by its sender (a new event, so a new number).
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 2, resent: true }))).toBe(false);
    // Another sender with the same sid is another stream.
    expect(inbox.admit(...peer("B", { sid: "s1", seq: 1 }))).toBe(true);
    expect(inbox.streams).toBe(2);
    await eventually(() => sent.length > 0, "the received command");
    expect(sent.map(throughOf)).toEqual([13]);
    // Unnumbered frames too; a malformed sid or seq is no identity.
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 1 }))).toBe(false);
    expect(inbox.admit(...peer("A", { sid: "s1", seq: "x" }))).toBe(true);
  });

  it("drops nothing by seq and confirms nothing without delivery", () => {
    const { inbox, sent } = setup(["acks"]);
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 1 }))).toBe(true);
    expect(inbox.admit(...peer("A", { sid: "s1", seq: 1 }))).toBe(true);
    expect(inbox.streams).toBe(0);
    expect(sent).toEqual([]);
  });

  it("forgets a stream idle for STREAM_IDLE_MS, and the least recently heard past MAX_STREAMS", () => {
    const { inbox, clock } = setup();
    expect(inbox.admit(...peer("A", { sid: "old", seq: 5 }))).toBe(true);
    clock.now += STREAM_IDLE_MS - 1;
    expect(inbox.admit(...peer("A", { sid: "old", seq: 5 }))).toBe(false);
    clock.now += STREAM_IDLE_MS;
    // Any frame prunes the idle ones; then seq 5 is new again.
    expect(inbox.admit(...peer("B", { sid: "x", seq: 1 }))).toBe(true);
    expect(inbox.streams).toBe(1);
    expect(inbox.admit(...peer("A", { sid: "old", seq: 5 }))).toBe(true);

    for (let n = 0; n < MAX_STREAMS; n++) inbox.admit(...peer("C", { sid: `s${n}`, seq: 1 }));
    expect(inbox.streams).toBe(MAX_STREAMS);
    // B and A were heard from first: B went, then A; the newest are kept.
    expect(inbox.admit(...peer("C", { sid: `s${MAX_STREAMS - 1}`, seq: 1 }))).toBe(false);
    expect(inbox.admit(...peer("B", { sid: "x", seq: 1 }))).toBe(true);
    expect(inbox.streams).toBe(MAX_STREAMS);
  });

  it("takes identified.mail: raises the mark to confirmed, resets it when the relay lost its data", () => {
    const raised = setup(["delivery"], { window: 120_000, confirmed: 7, next: 9, missed: 0 });
    raised.inbox.mail({ first: 6, count: 3 });
    expect([6, 7, 8].map(() => raised.inbox.admit(...peer("A")))).toEqual([false, false, true]);
    expect(raised.errors).toEqual([]);

    // Handled up to 8 here, but the relay starts again at 1: its numbers are new.
    const { inbox, errors } = raised;
    inbox.ended();
    inbox.identified({
      connection: raised.connection,
      granted: ["delivery"],
      mail: { window: 120_000, confirmed: 0, next: 1, missed: 3 },
    });
    expect(inbox.handled).toBe(0);
    inbox.mail({ first: 1, count: 1 });
    expect(inbox.admit(...peer("A"))).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ClientErrorCode.missedFrames, count: 3 });
  });

  it("reports a mail frame's missed count, and spends a number on a frame it could not decode", async () => {
    const { inbox, errors, sent } = setup();
    inbox.mail({ first: 1, count: 2, missed: 4 });
    expect(errors.map((error) => [error.code, "count" in error ? error.count : 0])).toEqual([
      ["MISSED_FRAMES", 4],
    ]);
    inbox.undecodable();
    expect(inbox.admit(...peer("A"))).toBe(true);
    expect(inbox.handled).toBe(2);
    await eventually(() => sent.length > 0, "the received command");
    expect(sent.map(throughOf)).toEqual([2]);
  });

  it("confirms after identify what was handled but not confirmed before the connection ended", async () => {
    const first = setup();
    first.inbox.mail({ first: 1, count: 2 });
    first.inbox.admit(...peer("A"));
    first.inbox.admit(...peer("A"));
    // The connection ends before the confirmation goes out.
    first.inbox.ended();
    first.inbox.identified({
      connection: first.connection,
      granted: ["delivery"],
      mail: { window: 120_000, confirmed: 0, next: 3, missed: 0 },
    });
    await eventually(() => first.sent.length > 0, "the received command");
    expect(first.sent.map(throughOf)).toEqual([2]);
  });
});

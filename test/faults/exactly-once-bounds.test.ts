/**
 * Where exactly-once ends, row 3 of issue 11's fault table: a receiver away longer than the
 * room's mail window, and a mailbox that overflows. Nothing is handled late without notice:
 * every sender that asked (`client.deliver()`) gets a final `expired` or `overflow` receipt,
 * and the receiver's error hooks learn, on its return, how many frames it missed
 * (`MISSED_FRAMES`), before any frame sent after them. Checked from the applications' side.
 *
 * Not 10,000 frames a sender: the bounds make more pointless. The frames sent while the
 * receiver is away must all be sent within the short window (1.5 s here), and a mailbox of
 * 100 frames overflows at the 101st; a few hundred frames show each rule whole.
 */

import { afterEach, expect, it } from "vitest";
import type { ClientError, Receipt } from "../../src/client/index.js";
import type { SocketServer, SocketServerOptions } from "../../src/server/index.js";
import { eventually } from "../support/recorder.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { range } from "./burst.js";
import { nodeClients } from "./node-trio.js";
import {
  FAULT_CODES,
  missedCounts,
  RECEIVER,
  type Sender,
  Trio,
  unexpectedErrors,
} from "./trio.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(limits: SocketServerOptions["limits"], frames: number): Promise<Trio> {
  const server: SocketServer = await startRelay({ limits });
  cleanup.push(() => server.close());
  const trio = new Trio({ make: nodeClients(server.wsAddress, freshRoom()), frames });
  cleanup.push(() => trio.close());
  await trio.connect();
  return trio;
}

/**
 * Each sender writes its frames `from` to `to - 1`, round robin, the last one with
 * `deliver()`, and resolves once the receiver confirmed every last one.
 */
async function live(trio: Trio, from: number, to: number): Promise<void> {
  for (let n = from; n < to - 1; n++) {
    for (const { client, burst } of trio.senders) client.writeToSocket(burst.frame(n));
  }
  const receipts = await Promise.all(
    trio.senders.map(({ client, burst }) => client.deliver(burst.frame(to - 1))),
  );
  expect(receipts.map((receipt) => receipt.status[RECEIVER])).toEqual(Array(3).fill("confirmed"));
}

/** Each sender sends its frames `from` to `to - 1` with `deliver()`, round robin. */
function delivered(trio: Trio, from: number, to: number, timeout: number) {
  const receipts = new Map<Sender, Map<number, Promise<Receipt>>>();
  for (const sender of trio.senders) receipts.set(sender, new Map());
  for (let n = from; n < to; n++) {
    for (const sender of trio.senders) {
      receipts.get(sender)?.set(n, sender.client.deliver(sender.burst.frame(n), { timeout }));
    }
  }
  return receipts;
}

/** Waits for the receiver's close after `close()`. */
async function away(trio: Trio): Promise<void> {
  const { client, events } = trio.receiver;
  client.close();
  await events.until(() => events.closes.length === 1, "the receiver's close");
}

/** Errors other than the missed frames' and those of a reconnect. */
function unexpected(trio: Trio): string[] {
  return trio.everyone.flatMap((party) =>
    unexpectedErrors(party, [...FAULT_CODES, "MISSED_FRAMES"]),
  );
}

/** Records how many burst frames the receiver had handled when each MISSED_FRAMES came. */
function missedAt(trio: Trio): number[] {
  const at: number[] = [];
  trio.receiver.client.on("error", (error: ClientError) => {
    if (error.code === "MISSED_FRAMES") at.push(trio.deliveries.times.length);
  });
  return at;
}

it("a receiver away longer than the mail window: senders get expired, the receiver the count", async () => {
  const trio = await setup({ mailWindowMs: 1_500 }, 300);
  const at = missedAt(trio);
  await live(trio, 0, 100);
  await away(trio);
  const receipts = delivered(trio, 100, 200, 10_000);
  const statuses = await Promise.all(
    trio.senders.map(async (sender) => {
      const settled = await Promise.all(receipts.get(sender)?.values() ?? []);
      return settled.map((receipt) => receipt.status[RECEIVER]);
    }),
  );
  // The window ended with the receiver away: every frame's sender was told.
  expect(statuses).toEqual(Array(3).fill(Array(100).fill("expired")));

  trio.receiver.client.connectToSocket();
  await trio.receiver.events.identifiedTimes(2);
  await trio.receiver.events.error("MISSED_FRAMES");
  await live(trio, 200, 300);
  // Told of all 300 it missed, before any frame sent after them; none of them came late.
  expect(missedCounts(trio.receiver).reduce((sum, count) => sum + count, 0)).toBe(300);
  expect(at).toEqual([300]);
  const problems = trio.problems(() => [...range(100), ...range(100).map((n) => n + 200)]);
  expect(problems).toEqual([]);
  expect(unexpected(trio)).toEqual([]);
}, 30_000);

it("an overflowing mailbox: the frames it could not keep are overflow receipts and a count", async () => {
  const trio = await setup({ maxMailFrames: 100 }, 160);
  const at = missedAt(trio);
  await live(trio, 0, 30);
  await away(trio);
  // 300 frames for a mailbox of 100, the three senders' interleaved.
  const receipts = delivered(trio, 30, 130, 20_000);
  const settled = new Map<Sender, Map<number, Receipt>>();
  for (const [sender, byNumber] of receipts) {
    const got = new Map<number, Receipt>();
    settled.set(sender, got);
    for (const [n, receipt] of byNumber) void receipt.then((value) => got.set(n, value));
  }
  const overflowed = (): number =>
    [...settled.values()]
      .flatMap((got) => [...got.values()])
      .filter((receipt) => receipt.status[RECEIVER] === "overflow").length;
  // The mailbox's 100 wait for the receiver; the 200 over it are final at once.
  await eventually(() => overflowed() >= 200, "200 overflow receipts");
  expect(overflowed()).toBe(200);

  trio.receiver.client.connectToSocket();
  await trio.receiver.events.identifiedTimes(2);
  await trio.receiver.events.error("MISSED_FRAMES");
  for (const byNumber of receipts.values()) await Promise.all(byNumber.values());
  // Fewer than the mailbox holds: it bounds a live receiver's unconfirmed frames too.
  await live(trio, 130, 160);

  expect(missedCounts(trio.receiver).reduce((sum, count) => sum + count, 0)).toBe(200);
  expect(at).toEqual([90]);
  let kept = 0;
  const problems = trio.problems((name) => {
    const got = [...settled].find(([sender]) => sender.name === name)?.[1] ?? new Map();
    const confirmed = range(100)
      .map((n) => n + 30)
      .filter((n) => got.get(n)?.status[RECEIVER] === "confirmed");
    const overflow = range(100)
      .map((n) => n + 30)
      .filter((n) => got.get(n)?.status[RECEIVER] === "overflow");
    kept += confirmed.length;
    // Every frame has one final status; the mailbox kept a sender's first ones, never
    // dropping one it had kept for a later one.
    expect(confirmed.length + overflow.length, name).toBe(100);
    expect(confirmed, name).toEqual(range(confirmed.length).map((n) => n + 30));
    return [...range(30), ...confirmed, ...range(30).map((n) => n + 130)];
  });
  expect(problems).toEqual([]);
  expect(kept).toBe(100);
  expect(unexpected(trio)).toEqual([]);
}, 30_000);

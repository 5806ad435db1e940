import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import { cmd, type Frame, type Inbox } from "../support/inbox.js";
import { sync } from "../support/session.js";
import { crowd, freshRoom, join } from "./connect.js";

/**
 * What one event may cost a room: deliveries and characters out, counted per recipient, not
 * per frame. Each attack runs in a room of 1,000 clients while two other clients talk, and
 * their conversation must arrive whole and in order.
 */

const CROWD = 1_000;
const SENDER = { capabilities: ["errors", "batch"] };

function batch(frames: object[]): Frame {
  return { type: "batch", data: frames, from: "", target: ["server"] };
}

/** P sends Q `count` numbered frames while `attack` runs; Q must get them all, in order. */
async function conversationDuring<T>(p: Inbox, q: Inbox, attack: () => Promise<T>): Promise<T> {
  const count = 200;
  const talk = (async () => {
    for (let i = 0; i < count; i++) {
      p.send({ type: "talk", data: i, target: ["Q"] });
      if (i % 20 === 0) await sync(p, "P");
    }
  })();
  const [result] = await Promise.all([attack(), talk]);
  const got: unknown[] = [];
  while (got.length < count) {
    const frame = await q.next(20_000);
    if (frame.type === "talk") got.push(frame.data);
  }
  expect(got).toEqual([...Array(count).keys()]);
  return result;
}

/** Sends `frame` from `sender`, then waits for the relay's pong; returns the frames between. */
async function answersTo(sender: Inbox, name: string, frame: Frame): Promise<Frame[]> {
  sender.send(frame);
  return sync(sender, name);
}

/**
 * Sends `frames` from `s` in one batch while P and Q talk: the first `fit` reach every client,
 * the others are refused with COST_LIMIT, each naming its frame.
 */
async function expectFit(
  s: Inbox,
  p: Inbox,
  q: Inbox,
  clients: Inbox[],
  frames: { id: number }[],
  fit: number,
): Promise<void> {
  const answers = await conversationDuring(p, q, () => answersTo(s, "S", batch(frames)));
  const errors = answers.filter((frame) => frame.type === "error");
  expect(errors).toHaveLength(frames.length - fit);
  for (const [i, error] of errors.entries()) {
    expect(error.data).toMatchObject({ code: "COST_LIMIT", ref: { id: fit + i } });
  }
  for (const client of [clients[0], clients[clients.length - 1]] as Inbox[]) {
    const got = (await client.take(fit, 20_000)).map((frame) => frame.data);
    expect(got).toEqual([...Array(fit).keys()]);
    expect(client.pending).toEqual([]);
  }
}

describe("the cost of one event", () => {
  it('walks the room once for any number of "*" targets, and refuses the frames of a batch past maxEventDeliveries', async () => {
    const room = freshRoom();
    const clients = await crowd(room, "c", CROWD);
    const p = await join(room, "P");
    const q = await join(room, "Q");
    const s = await join(room, "S", SENDER);
    s.unwrapBatches = true;
    const stars = Array<string>(256).fill("*");
    // One frame to 256 "*": every other client gets it exactly once.
    s.send({ type: "once", data: 0, target: stars });
    s.send({ type: "marker", data: 1, target: ["*"] });
    for (const client of [clients[0], clients[499], clients[CROWD - 1], p, q] as Inbox[]) {
      expect((await client.take(2)).map((frame) => frame.type)).toEqual(["once", "marker"]);
    }
    // A batch of 100 frames to "*" would be 100 x 1,002 deliveries in one event: the frames
    // that fit in maxEventDeliveries go to everyone, the others to no one.
    const recipients = CROWD + 2;
    const flood = (targets: string[]) =>
      Array.from({ length: 100 }, (_, i) => ({ type: "flood", data: i, target: targets, id: i }));
    const byCount = Math.floor(DEFAULT_LIMITS.maxEventDeliveries / recipients);
    await expectFit(s, p, q, clients, flood(["*"]), byCount);
    // With 256 "*" each, a frame is about 1 KiB: maxEventBytes binds first.
    const first = clients[0] as Inbox;
    const before = first.raw.length;
    const length = JSON.stringify({ ...flood(stars)[0], from: "S" }).length;
    const byBytes = Math.floor(DEFAULT_LIMITS.maxEventBytes / (recipients * length));
    expect(byBytes).toBeLessThan(byCount);
    await expectFit(s, p, q, clients, flood(stars), byBytes);
    expect(first.raw[before]?.length).toBe(length);
  }, 120_000);

  it("bounds the answers to a batch of 1,000 list_clients: pages, no frame past maxFrameBytes, the rest refused", async () => {
    const room = freshRoom();
    await crowd(room, "c", CROWD);
    const p = await join(room, "P");
    const q = await join(room, "Q");
    const s = await join(room, "S", SENDER);
    const list = Array.from({ length: 1_000 }, (_, i) => ({
      ...cmd("list_clients", {}, "server", "S"),
      id: i,
    }));
    const before = s.raw.length;
    await conversationDuring(p, q, () => answersTo(s, "S", batch(list)));
    const texts = s.raw.slice(before);
    const bytes = texts.map((text) => new TextEncoder().encode(text).byteLength);
    expect(Math.max(...bytes)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxFrameBytes);
    const frames = texts.flatMap((text) => {
      const frame = JSON.parse(text) as Frame;
      return frame.type === "batch" ? (frame.data as Frame[]) : [frame];
    });
    const pages = frames.filter((frame) => (frame.data as { cmd?: string }).cmd === "clients");
    const refused = frames.filter((frame) => frame.type === "error");
    const names = CROWD + 3;
    expect(pages).toHaveLength(Math.floor(DEFAULT_LIMITS.maxEventDeliveries / names));
    expect(refused).toHaveLength(1_000 - pages.length);
    expect(refused[0]?.data).toMatchObject({ code: "COST_LIMIT" });
    const page = (pages[0] as Frame).data as { kwargs: { names: string[]; next?: string } };
    expect(page.kwargs.names).toHaveLength(1_000);
    expect(page.kwargs.next).toBe(page.kwargs.names.at(-1));
    expect(texts.reduce((sum, text) => sum + text.length, 0)).toBeLessThan(
      DEFAULT_LIMITS.maxEventBytes,
    );
  }, 120_000);
});

/**
 * A data logger speaking only the seed's protocol writes 20,000 frames in one burst to the
 * local relay with its defaults: every frame reaches the GUI, in order, and two other clients
 * go on talking meanwhile.
 */

import { expect, it } from "vitest";
import type { Frame, Inbox } from "../support/inbox.js";
import { freshRoom, join, relayForFile } from "../support/relay.js";
import { sync } from "../support/session.js";

const BURST = 20_000;

const relay = relayForFile();

async function collect(inbox: Inbox, type: string, count: number): Promise<unknown[]> {
  const got: unknown[] = [];
  while (got.length < count) {
    const frame: Frame = await inbox.next(30_000);
    if (frame.type === type) got.push(frame.data);
  }
  return got;
}

it("delivers a seed client's burst of 20,000 frames whole and in order, while others talk", async () => {
  const server = relay();
  const room = freshRoom();
  const gui = await join(server, room, "gui");
  const logger = await join(server, room, "logger");
  const p = await join(server, room, "P");
  const q = await join(server, room, "Q");
  const points = collect(gui, "data", BURST);
  for (let i = 0; i < BURST; i++) {
    logger.send({ type: "data", data: { key: "T", x: i, y: i * 0.5, t: i }, target: ["gui"] });
  }
  const talk = collect(q, "talk", 100);
  for (let i = 0; i < 100; i++) p.send({ type: "talk", data: i, target: ["Q"] });
  expect(await talk).toEqual([...Array(100).keys()]);
  const got = (await points) as { x: number }[];
  expect(got.map((point) => point.x)).toEqual([...Array(BURST).keys()]);
  // Nothing was dropped, so the logger was not closed (over a rate limit it is, with 1008):
  // its ping is still answered.
  expect(await sync(logger, "logger")).toEqual([]);
}, 60_000);

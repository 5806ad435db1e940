/**
 * A socket the room closes is closed on the wire at once: the client's close event follows
 * the close frame, not a late end of the TCP connection. Checked for the two closes the room
 * makes on its own, the identify timeout (from its alarm) and the heartbeat timeout, against
 * the local relay with short limits.
 *
 * Not covered here: a socket that never sent a single frame. Its close reply is then the
 * first frame it sends, and workerd keeps such a connection open until the room goes idle
 * (about 10 s later); see the close behaviour in docs/protocol.md.
 */

import { expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, open, relayForFile } from "../support/relay.js";
import { sync } from "../support/session.js";

const IDENTIFY_TIMEOUT_MS = 1_000;
const HEARTBEAT_TIMEOUT_MS = 1_000;
/** How late a close event may come after the close: generous, a late TCP end takes 10 s. */
const PROMPT_MS = 4_000;

const relay = relayForFile({
  limits: { identifyTimeoutMs: IDENTIFY_TIMEOUT_MS, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
});

it("closes a socket that did not identify in time at once, close event included", async () => {
  const room = freshRoom();
  const member = await join(relay(), room, "Member");
  const opened = Date.now();
  const idle = await open(relay(), room);
  await idle.take(2);
  // A frame that is no identify: the relay answers it with the handshake again.
  idle.send(cmd("ping", {}, "server", "Idle"));
  await idle.take(2);
  expect(await idle.closed(IDENTIFY_TIMEOUT_MS + PROMPT_MS)).toEqual({
    code: 4008,
    reason: "identify timeout",
  });
  expect(Date.now() - opened).toBeLessThan(IDENTIFY_TIMEOUT_MS + PROMPT_MS);
  expect(await sync(member, "Member")).toEqual([]);
});

it("closes a socket whose heartbeats stopped at once, close event included", async () => {
  const room = freshRoom();
  const quiet = await join(relay(), room, "Quiet", { capabilities: ["heartbeat"] });
  const other = await join(relay(), room, "Other", { capabilities: ["undelivered"] });
  // Until the heartbeat timeout has passed, a frame to Quiet reaches it; the first one after
  // it finds Quiet dead: the relay closes it, and tells Other the frame was not delivered.
  let poked: number;
  for (;;) {
    poked = Date.now();
    other.send({ type: "t", data: 1, target: ["Quiet"] });
    const answers = await sync(other, "Other");
    if (answers.some((frame) => JSON.stringify(frame.data).includes("UNDELIVERED"))) break;
  }
  expect(await quiet.closed(PROMPT_MS)).toEqual({ code: 4011, reason: "heartbeat timeout" });
  expect(Date.now() - poked).toBeLessThan(PROMPT_MS);
});

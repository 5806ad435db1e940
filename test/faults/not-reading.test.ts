/**
 * A client that stops reading while frames for it keep coming: the relay asks it to show that
 * it reads (the seed's `indentify`, past a quarter of `maxSocketBacklogBytes`), and closes it
 * with 4012 once what it holds for it passes the budget. The rest of a room of 1,000 clients
 * goes on meanwhile.
 */

import type { Socket } from "node:net";
import { expect, it } from "vitest";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import type { Inbox } from "../support/inbox.js";
import { freshRoom, join, relayForFile } from "../support/relay.js";
import { sync } from "../support/session.js";

const relay = relayForFile();

it("closes a socket that does not read once the room holds more than its budget for it", async () => {
  const server = relay();
  const room = freshRoom();
  const crowd: Inbox[] = [];
  for (let start = 0; start < 1_000; start += 200) {
    const names = Array.from({ length: 200 }, (_, i) => `c${start + i}`);
    crowd.push(...(await Promise.all(names.map((name) => join(server, room, name)))));
  }
  const p = await join(server, room, "P");
  const q = await join(server, room, "Q");
  const sender = await join(server, room, "Sender", { capabilities: ["undelivered"] });
  const sink = await join(server, room, "Sink");
  const closed = new Promise<{ reason: string }>((resolve) => {
    server.on("client", (event) => {
      if (event.type === "timeout" && event.name === "Sink") resolve(event);
    });
  });
  // The sink stops reading: its TCP socket is paused, so nothing it is sent is taken in.
  (sink.socket as unknown as { _socket: Socket })._socket.pause();
  const payload = "x".repeat(1_000_000);
  const frames = Math.ceil((DEFAULT_LIMITS.maxSocketBacklogBytes * 1.5) / payload.length);
  let talked = 0;
  for (let i = 0; i < frames; i++) {
    sender.send({ type: "blob", data: payload, target: ["Sink"] });
    p.send({ type: "talk", data: talked++, target: ["Q"] });
    await sync(sender, "Sender");
  }
  expect((await closed).reason).toBe("not reading");
  const got: unknown[] = [];
  while (got.length < talked) got.push((await q.next(20_000)).data);
  expect(got).toEqual([...Array(talked).keys()]);
  // The sink's name is free; the rest of the room is as it was.
  sender.send({ type: "t", data: "after", target: ["Sink", "c999"] });
  const reports = await sync(sender, "Sender");
  expect(reports).toHaveLength(1);
  expect(reports[0]?.data).toMatchObject({ code: "UNDELIVERED", targets: ["Sink"] });
  expect(await crowd[999]?.next()).toMatchObject({ data: "after", from: "Sender" });
}, 120_000);

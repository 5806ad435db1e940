import { afterAll, beforeAll, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

it("routes a command between two seed clients", async () => {
  const room = freshRoom();
  const a = await join(server, room, "A");
  const b = await join(server, room, "B");
  a.send(cmd("pass_ball", { catch: true }, "B", "A"));
  expect(await b.next()).toEqual({
    type: "cmd",
    data: { cmd: "pass_ball", args: [], kwargs: { catch: true } },
    from: "A",
    target: ["B"],
  });
});

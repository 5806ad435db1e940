import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { Inbox } from "../support/inbox.js";

it("sends the handshake", async () => {
  const response = await exports.default.fetch(`http://relay/${crypto.randomUUID()}`, {
    headers: { upgrade: "websocket" },
  });
  const ws = response.webSocket;
  if (!ws) throw new Error("no socket");
  ws.accept();
  const inbox = new Inbox(ws);
  const [a, b] = await inbox.take(2);
  expect(a).toMatchObject({ type: "cmd" });
  expect(b).toMatchObject({ type: "cmd" });
});

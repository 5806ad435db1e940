import { afterEach, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { simpleMessage } from "../../src/client/node.js";
import { handshakeTexts, Inbox } from "../support/inbox.js";
import { client } from "../support/sdk-client.js";

/**
 * A server that speaks only the seed's protocol: the handshake, and never an answer to the
 * identify. The client must not wait for an `identified` that never comes.
 */
let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function seedServer(): Promise<{ url: string; inbox: Promise<Inbox> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server = wss;
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const address = wss.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const inbox = new Promise<Inbox>((resolve) =>
    wss.once("connection", (socket) => {
      const inbox = new Inbox(socket);
      for (const text of handshakeTexts(1795667433.5)) socket.send(text);
      resolve(inbox);
    }),
  );
  return { url: `ws://127.0.0.1:${port}`, inbox };
}

it("takes a server that never answers the identify for one without extensions", async () => {
  const { url, inbox } = await seedServer();
  const { client: wsc, events } = client(url, "lab", "Scope", { identifiedTimeout: 200 });
  expect(wsc.writeToSocket(simpleMessage("queued before identify", "Scope", "Console"))).toBe(
    "queued",
  );
  const info = await events.identifiedTimes(1);
  expect(info.capabilities).toEqual([]);
  expect(events.warnings.join("\n")).toContain('no "identified" answer within 200 ms');
  const peer = await inbox;
  const [identify, message] = await peer.take(2);
  expect(identify).toMatchObject({
    type: "cmd",
    data: { cmd: "indentify", kwargs: { name: "Scope" } },
  });
  // Sent plainly, as to a seed server: no batch wrapper, no id.
  expect(message).toEqual({
    type: "message",
    data: { content: "queued before identify", title: "", level: "info" },
    from: "Scope",
    target: ["Console"],
  });
  wsc.close();
});

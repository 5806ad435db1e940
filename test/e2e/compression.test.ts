import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { SocketServer } from "../../src/server/index.js";
import { Inbox } from "../support/inbox.js";
import { freshRoom, startRelay } from "../support/relay.js";

async function extensionsOf(url: string): Promise<string> {
  const socket = new WebSocket(url, { perMessageDeflate: true });
  const inbox = new Inbox(socket);
  await inbox.take(2);
  const extensions = socket.extensions;
  socket.close();
  return extensions;
}

describe("compression", () => {
  let server: SocketServer;
  beforeAll(async () => {
    server = await startRelay();
  });
  afterAll(() => server.close());

  it("is off by default, even when the client offers permessage-deflate", async () => {
    expect(await extensionsOf(`${server.wsAddress}/${freshRoom()}`)).toBe("");
  });

  it("is on when the client asks with ?deflate=1 and offers it", async () => {
    expect(await extensionsOf(`${server.wsAddress}/${freshRoom()}?deflate=1`)).toBe(
      "permessage-deflate",
    );
  });
});

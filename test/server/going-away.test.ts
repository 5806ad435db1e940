import { describe, expect, it } from "vitest";
import { GOING_AWAY_ROUTE } from "../../src/config/index.js";
import { SocketServer } from "../../src/server/index.js";
import { freshRoom, open } from "../support/relay.js";
import { client } from "../support/sdk-client.js";

describe("server.close()", () => {
  it('closes every client with 1001 "relay stopping", in every room, before workerd goes', async () => {
    const server = await SocketServer.start({ port: 0 });
    try {
      const rooms = [freshRoom(), freshRoom(), "default"];
      const inboxes = await Promise.all(rooms.map((room) => open(server, room)));
      await Promise.all(inboxes.map((inbox) => inbox.take(2)));
      await server.close();
      for (const inbox of inboxes) {
        expect(await inbox.closed()).toEqual({ code: 1001, reason: "relay stopping" });
      }
    } finally {
      // Already closed when the test got that far; a second close() does nothing.
      await server.close();
    }
  });

  it("lets the SDK see 1001 and schedule a reconnect", async () => {
    const server = await SocketServer.start({ port: 0 });
    const { client: wsc, events } = client(server, freshRoom(), "Scope1");
    try {
      await events.identifiedTimes(1);
      await server.close();
      const closed = await events.until(() => events.closes[0], "the close");
      expect(closed).toMatchObject({ code: 1001, reason: "relay stopping", reconnecting: true });
    } finally {
      wsc.close();
      await server.close();
    }
  });

  it("answers the going-away route only with the key of this start", async () => {
    const server = await SocketServer.start({ port: 0 });
    try {
      const address = server.wsAddress.replace(/^ws/, "http");
      const inbox = await open(server, "default");
      await inbox.take(2);
      const attempts: Record<string, string>[] = [
        {},
        { [GOING_AWAY_ROUTE.header]: "0".repeat(64) },
      ];
      for (const headers of attempts) {
        const response = await fetch(`${address}/_going-away`, {
          method: "POST",
          headers,
          body: '["default"]',
        });
        expect(response.status).toBe(404);
      }
      // Still open: the runtime answers its heartbeat.
      inbox.send({ type: "heartbeat" });
      expect(await inbox.next()).toEqual({ type: "heartbeat", from: "server" });
      inbox.socket.close(1000);
    } finally {
      await server.close();
    }
  });
});

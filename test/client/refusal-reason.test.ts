/**
 * The reason of a refused upgrade: with `ws`, the client reads the body the relay refused the
 * upgrade with and puts it in the `UpgradeRefusedError` (`reason`, and its message), for each
 * refusal the relay has, while the room's members notice nothing.
 */

import { request } from "node:http";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { mintToken } from "../../src/auth/token.js";
import {
  ClientErrorCode,
  UpgradeRefusedError,
  type WebSocketConstructor,
} from "../../src/client/node.js";
import { MAX_REFUSAL_REASON_BYTES, refusalReason } from "../../src/client/transport.js";
import type { SocketServer } from "../../src/server/index.js";
import { Inbox } from "../support/inbox.js";
import { freshRoom, join, open, relayForFile } from "../support/relay.js";
import { client } from "../support/sdk-client.js";
import { identifyAs, sync } from "../support/session.js";

const KEY = { id: "k1", secret: "a-test-secret-of-at-least-32-bytes!" };
const ORIGIN = "https://app.example";

/** A relay with an Origin allow-list and token rooms (`tok-*`). */
const server = relayForFile({
  allowedOrigins: [ORIGIN],
  roomPolicy: { "tok-*": "token", "*": "open" },
  tokenKeys: { [KEY.id]: KEY.secret },
});
/** A relay with room for 2 sockets, 1 of them not identified yet. */
const crowded = relayForFile({ limits: { maxConnections: 2, maxUnidentified: 1 } });

/** A `ws` class that sends `origin` with its upgrade. */
function fromOrigin(origin: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { origin });
    }
  };
}

/** What the relay answers a plain WebSocket upgrade of `path` with: its status and body. */
function relayAnswer(
  relay: SocketServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${relay.port}${path}`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    req.on("upgrade", () => reject(new Error(`the relay accepted the upgrade of ${path}`)));
    req.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A client of `room` on `relay`, refused: the error it reports. */
async function refusal(
  relay: SocketServer,
  room: string,
  options: { WebSocket?: WebSocketConstructor; token?: string } = {},
): Promise<UpgradeRefusedError> {
  const { client: wsc, events } = client(relay, room, "Refused", options);
  try {
    const error = await events.error(ClientErrorCode.upgradeRefused);
    expect(error).toBeInstanceOf(UpgradeRefusedError);
    if (!(error instanceof UpgradeRefusedError)) throw error;
    return error;
  } finally {
    wsc.close();
  }
}

/**
 * Expects `error` to carry the relay's own answer to the same upgrade: its status, and its
 * body, trimmed, as `reason` and in the message.
 */
function expectRelaysReason(
  error: UpgradeRefusedError,
  answer: { status: number; body: string },
  says: RegExp,
): void {
  expect(answer.body).toMatch(says);
  expect(error.status).toBe(answer.status);
  expect(error.reason).toBe(answer.body.trim());
  expect(error.message).toContain(`HTTP ${answer.status} (${JSON.stringify(error.reason)})`);
}

/** Expects `member` (identified as `name`) to have received nothing. */
async function expectUnbothered(member: Inbox, name: string): Promise<void> {
  expect(await sync(member, name)).toEqual([]);
}

describe("an UpgradeRefusedError carries the relay's reason", () => {
  it("for 400: a bad room name", async () => {
    const room = "x".repeat(65);
    const error = await refusal(server(), room);
    expectRelaysReason(error, await relayAnswer(server(), `/${room}`), /^bad room name: /);
    expect(error.fatal).toBe(true);
  });

  it("keeps the first 500 bytes of a long reason", async () => {
    const origin = `https://${"a".repeat(800)}.example`;
    const error = await refusal(server(), freshRoom(), { WebSocket: fromOrigin(origin) });
    const answer = await relayAnswer(server(), `/${freshRoom()}`, { origin });
    expect(Buffer.byteLength(answer.body)).toBeGreaterThan(MAX_REFUSAL_REASON_BYTES);
    expect(error.reason).toBe(
      Buffer.from(answer.body).subarray(0, MAX_REFUSAL_REASON_BYTES).toString().trim(),
    );
    expect(error.reason).toMatch(/^connections from origin https:\/\/a+$/);
  });

  it("for 404: a path that is no room", async () => {
    const error = await refusal(server(), "_nothing-here");
    expectRelaysReason(error, await relayAnswer(server(), "/_nothing-here"), /no such relay route/);
  });

  it("for 403: an Origin the relay does not allow; the room's members notice nothing", async () => {
    const room = freshRoom();
    const member = await join(server(), room, "Member");
    const origin = "https://elsewhere.example";
    const error = await refusal(server(), room, { WebSocket: fromOrigin(origin) });
    expectRelaysReason(
      error,
      await relayAnswer(server(), `/${room}`, { origin }),
      /connections from origin https:\/\/elsewhere\.example are not allowed/,
    );
    await expectUnbothered(member, "Member");
  });

  it("for 401: a token room without a token, and with a bad one; its members notice nothing", async () => {
    const room = `tok-${crypto.randomUUID()}`;
    const token = await mintToken({ room, name: "Member", ttlSeconds: 60 }, KEY);
    const badge = new WebSocket(`${server().wsAddress}/${room}?token=${token}`);
    const member = new Inbox(badge);
    await new Promise((resolve, reject) => {
      badge.once("open", resolve);
      badge.once("error", reject);
    });
    await identifyAs(member, "Member");

    const missing = await refusal(server(), room);
    expectRelaysReason(missing, await relayAnswer(server(), `/${room}`), /needs a token/);
    expect(missing.fatal).toBe(true);

    const wrong = await refusal(server(), room, { token: "not-a-token" });
    expectRelaysReason(wrong, await relayAnswer(server(), `/${room}?token=not-a-token`), /token/);
    expect(wrong.reason).not.toBe(missing.reason);
    await expectUnbothered(member, "Member");
  });

  it("for 429: too many sockets waiting to identify; the room's members notice nothing", async () => {
    const room = freshRoom();
    const lurker = await open(crowded(), room);
    const error = await refusal(crowded(), room);
    expectRelaysReason(
      error,
      await relayAnswer(crowded(), `/${room}`),
      /has too many sockets waiting to identify/,
    );
    expect(error.fatal).toBe(false);
    lurker.socket.close();
  });

  it("for 503: a full room; its members notice nothing", async () => {
    const room = freshRoom();
    const member = await join(crowded(), room, "Member");
    const other = await join(crowded(), room, "Other");
    const error = await refusal(crowded(), room);
    expectRelaysReason(error, await relayAnswer(crowded(), `/${room}`), /is full \(2 sockets\)/);
    expect(error.fatal).toBe(false);
    await expectUnbothered(member, "Member");
    await expectUnbothered(other, "Other");
  });
});

describe("refusalReason", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it("trims the text and turns control characters into spaces", () => {
    expect(refusalReason(bytes("  bad room name:\tempty\r\n"))).toBe("bad room name: empty");
  });

  it("takes the message of a JSON error", () => {
    expect(refusalReason(bytes('{"message":"room is full"}'))).toBe("room is full");
    expect(refusalReason(bytes('{"error":{"code":"X","message":"nope"}}'))).toBe("nope");
    expect(refusalReason(bytes('{"error":"denied"}'))).toBe("denied");
    expect(refusalReason(bytes('{"other":1}'))).toBe('{"other":1}');
    expect(refusalReason(bytes("{not json"))).toBe("{not json");
  });

  it("drops a character cut off at the end, and replaces bad bytes", () => {
    const euro = bytes("€"); // 3 bytes
    expect(refusalReason(new Uint8Array([...bytes("price "), ...euro.subarray(0, 2)]))).toBe(
      "price",
    );
    expect(refusalReason(new Uint8Array([0x61, 0xff, 0x62]))).toBe("a\ufffdb");
  });

  it("is undefined for an empty body, or one of blanks", () => {
    expect(refusalReason(new Uint8Array())).toBeUndefined();
    expect(refusalReason(bytes(" \n"))).toBeUndefined();
  });
});

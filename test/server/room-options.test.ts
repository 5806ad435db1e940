import { Miniflare } from "miniflare";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { findBundle, WORKER } from "../../src/server/bundle.js";
import {
  type ClientEvent,
  type ConsoleEntry,
  SocketServer,
  type SocketServerOptions,
} from "../../src/server/index.js";
import { miniflareOptions } from "../../src/server/miniflare-options.js";
import { decodeRuntimeLog } from "../../src/server/runtime-log.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, open } from "../support/relay.js";
import { identifyAs, sync } from "../support/session.js";
import { workerdBelow } from "./children.js";

const started: SocketServer[] = [];
async function start(options: SocketServerOptions): Promise<SocketServer> {
  const server = await SocketServer.start({ port: 0, ...options });
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

const httpAddress = (server: SocketServer, room: string) =>
  `${server.wsAddress.replace("ws:", "http:")}/${room}`;

/** The status of a WebSocket upgrade the relay refused. */
function refusedStatus(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address);
    // Handling the response leaves ending the request to us (see ws's docs).
    socket.once("unexpected-response", (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.once("open", () => reject(new Error("the upgrade was accepted")));
  });
}

/** The first value a hook of `server` receives that matches, within `timeout` ms. */
function first<K extends "client" | "console">(
  server: SocketServer,
  type: K,
  match: (value: K extends "client" ? ClientEvent : ConsoleEntry) => boolean,
  timeout = 5_000,
): Promise<K extends "client" ? ClientEvent : ConsoleEntry> {
  type Value = K extends "client" ? ClientEvent : ConsoleEntry;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${type} entry within ${timeout} ms`));
    }, timeout);
    const off = server.on(type, (value) => {
      if (!match(value as Value)) return;
      clearTimeout(timer);
      off();
      resolve(value as Value);
    });
  });
}

describe("room options reach the Worker", () => {
  it("password: rooms ask for it", async () => {
    const server = await start({ password: "s3cret" });
    const inbox = await open(server, freshRoom());
    const [identify] = await inbox.take(2);
    expect(identify?.data).toMatchObject({ kwargs: { requires_password: true } });
  });

  it("limits: a name longer than maxNameLength is refused", async () => {
    const server = await start({ limits: { maxNameLength: 4 } });
    const room = freshRoom();
    const connected = first(server, "client", (event) => event.room === room);
    const inbox = await open(server, room);
    await inbox.take(2);
    inbox.send(cmd("indentify", { name: "Player1" }, "server", "Player1"));
    await expect(connected).resolves.toMatchObject({ type: "connect" });
    await expect(
      first(server, "client", (event) => event.room === room && event.type === "refused"),
    ).resolves.toMatchObject({ name: "Player1", reason: "BAD_NAME" });
  });

  it("roomLimits: a room its entry matches has that entry over limits; other rooms have limits", async () => {
    const server = await start({
      limits: { maxNameLength: 8 },
      roomLimits: { "short-*": { maxNameLength: 4 } },
    });
    const room = `short-${freshRoom()}`;
    const a = await identifyAs(await open(server, room), "A");
    const long = await open(server, room);
    await long.take(2);
    long.send(cmd("indentify", { name: "Abcde", capabilities: ["errors"] }, "server", "Abcde"));
    expect(await long.next()).toMatchObject({ type: "error", data: { code: "BAD_NAME" } });
    expect(await long.closed()).toMatchObject({ code: 4002 });
    expect(await sync(a, "A")).toEqual([]);
    // Another room: limits' maxNameLength 8, not the entry's and not the default 64.
    const other = freshRoom();
    await identifyAs(await open(server, other), "Abcdefgh");
    const longer = await open(server, other);
    await longer.take(2);
    longer.send(cmd("indentify", { name: "Abcdefghi", capabilities: ["errors"] }, "server", "X"));
    expect(await longer.next()).toMatchObject({ type: "error", data: { code: "BAD_NAME" } });
  });

  it("allowedOrigins: other origins get 403", async () => {
    const server = await start({ allowedOrigins: ["https://app.example"] });
    const room = freshRoom();
    const other = await fetch(httpAddress(server, room), {
      headers: { origin: "https://evil.example" },
    });
    expect(other.status).toBe(403);
    const allowed = await fetch(httpAddress(server, room), {
      headers: { origin: "https://app.example" },
    });
    expect(allowed.status).toBe(426);
  });

  it("roomPolicy and tokenKeys: a token room refuses a socket without a token", async () => {
    const server = await start({
      roomPolicy: { "tok-*": "token", "*": "open" },
      tokenKeys: { k1: "a-secret-of-at-least-32-bytes-0123456789" },
    });
    expect(await refusedStatus(`${server.wsAddress}/tok-${freshRoom()}`)).toBe(401);
    const inbox = await open(server, freshRoom());
    expect(await inbox.take(2)).toHaveLength(2);
  });

  it("a configuration the relay refuses stops the start before workerd runs", async () => {
    expect(() =>
      SocketServer.start({ roomPolicy: "token", tokenKeys: { k1: "too short" } }),
    ).toThrow('options.tokenKeys: the secret of "k1" needs at least 32 bytes');
    expect(() => SocketServer.start({ roomLimits: { "lab-*": { mailWindowMs: 0 } } })).toThrow(
      new RangeError(
        'options.roomLimits: the limits of "lab-*": limit "mailWindowMs" must be a positive integer',
      ),
    );
    expect(() => SocketServer.start({ roomLimits: { "_lab*": {} } })).toThrow(TypeError);
    // Valid over the relay's defaults, not over the limits given.
    expect(() =>
      SocketServer.start({
        limits: { maxFrameBytes: 2_097_152, maxMailBytes: 4_194_304 },
        roomLimits: { lab: { maxMailBytes: 1_048_576 } },
      }),
    ).toThrow('options.roomLimits: the limits of "lab": limit "maxMailBytes" must be at least');
    await expect(SocketServer.start({ port: 0, roomPolicy: "token" })).rejects.toMatchObject({
      code: "ERR_CONFIG",
      message:
        'the relay refuses this configuration: room policy "token" for "*" needs options.tokenKeys',
    });
    expect(workerdBelow()).toEqual([]);
  });

  it("a configuration the Worker refuses, set outside the server, shows on its console", async () => {
    // The Worker's variables as an operator could set them on the edge, where no check of the
    // server's options runs: the Worker answers 500 and logs why.
    let onEntry: (entry: ConsoleEntry) => void = () => {};
    const logged = new Promise<ConsoleEntry>((resolve) => {
      onEntry = (entry) => {
        if (entry.message.includes("misconfigured")) resolve(entry);
      };
    });
    const bindings = { ROOM_POLICY: "token", TOKEN_KEYS: '{"k1":"too short"}' };
    const resolved = { host: "127.0.0.1", port: 0, persist: undefined, scriptPath: undefined };
    const miniflare = new Miniflare(
      miniflareOptions({ ...resolved, bindings }, await findBundle(), (log) => {
        const decoded = decodeRuntimeLog(log);
        if (decoded.kind === "console") onEntry(decoded.entry);
      }),
    );
    try {
      const url = await miniflare.unsafeGetDirectURL(WORKER.name);
      const response = await fetch(new URL(`/${freshRoom()}`, url));
      await response.body?.cancel();
      expect(response.status).toBe(500);
      await expect(logged).resolves.toMatchObject({
        level: "error",
        message: expect.stringContaining('the secret of "k1" needs at least 32 bytes'),
      });
    } finally {
      await miniflare.dispose();
    }
  });
});

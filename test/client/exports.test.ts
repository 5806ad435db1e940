import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { afterAll, beforeAll, expect, expectTypeOf, it } from "vitest";
import * as universal from "../../src/client/index.js";
import * as node from "../../src/client/node.js";
import { ClientErrorCode, isWsComSrvError, WsComSrvError } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { deliver, eventually, FAST, Recorder, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/** Every runtime export of the client. It grows only on purpose: add the name here too. */
const EXPORTS = [
  "CallError",
  "Capability",
  "ClientErrorCode",
  "CloseCode",
  "Command",
  "DroppedFramesError",
  "ErrorCode",
  "EVERYONE",
  "FatalCloseError",
  "FrameError",
  "FrameType",
  "HandlerError",
  "MissedFramesError",
  "ReceiptTimeoutError",
  "RelayError",
  "SERVER",
  "UnconfirmedError",
  "UpgradeRefusedError",
  "WebSocketClient",
  "WsComSrvError",
  "commandMessage",
  "dataPointMessage",
  "isWsComSrvError",
  "levelMessage",
  "simpleMessage",
].sort();

it("exports exactly the names a user writes code against, the same from both entry points", () => {
  expect(Object.keys(universal).sort()).toEqual(EXPORTS);
  expect(Object.keys(node).sort()).toEqual(EXPORTS);
});

it("exports the roster's types, and the client's members are of them", () => {
  expectTypeOf<node.Member>().toEqualTypeOf<{
    name: string;
    state: node.MemberState;
    since: number;
  }>();
  expectTypeOf<node.MemberState>().toEqualTypeOf<"here" | "away">();
  expectTypeOf<node.WebSocketClient["members"]>().toEqualTypeOf<ReadonlyMap<string, node.Member>>();
  const wsc = new node.WebSocketClient("Typed", { autoConnect: false });
  expect(wsc.members.size).toBe(0);
  expect(typeof wsc.addOnJoin).toBe("function");
  expect(typeof wsc.addOnLeave).toBe("function");
});

const BUNDLE = fileURLToPath(new URL("../../src/client/dist/node.cjs", import.meta.url));

/**
 * A second copy of the client: the CommonJS bundle, run in a fresh `node:vm` realm (its own
 * `Error`, its own classes). Its `ws`, timers and `crypto` come from this realm.
 */
function foreignClient(): typeof node {
  const module = { exports: {} };
  const context = vm.createContext({
    module,
    exports: module.exports,
    require: createRequire(BUNDLE),
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    TextEncoder,
    TextDecoder,
    crypto,
    btoa,
    Buffer,
    process,
  });
  vm.runInContext(readFileSync(BUNDLE, "utf8"), context, { filename: BUNDLE });
  // The bundle of this very source: the same API, typed as the source it was built from.
  return module.exports as typeof node;
}

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

/** The codes that only ever reject a promise, never given to the error hooks. */
const promiseOnly: ReadonlySet<string> = new Set([
  ClientErrorCode.receiptTimeout,
  ClientErrorCode.readyTimeout,
]);

it("reports every error as a WsComSrvError that isWsComSrvError recognises across realms and copies", async () => {
  const foreign = foreignClient();
  expect(foreign.WsComSrvError).not.toBe(WsComSrvError);
  const events = new Recorder();
  const make = (
    room: string,
    name: string,
    options: node.ClientOptions = {},
    base = server.wsAddress,
  ): node.WebSocketClient => {
    const wsc = new foreign.WebSocketClient(name, {
      ...FAST,
      logger: events.logger,
      host: `${base}/${room}`,
      ...options,
    });
    events.attach(wsc);
    return wsc;
  };
  const room = freshRoom();
  const recording = recordingWebSocket();
  const peer = await join(server, room, "Peer");

  // QUEUE_OVERFLOW, then CLIENT_CLOSED.
  const idle = make(room, "Idle", { autoConnect: false, maxQueuedFrames: 0 });
  expect(idle.writeToSocket({ type: "note", target: "Peer" })).toBe("dropped");
  idle.close();
  expect(idle.writeToSocket({ type: "note", target: "Peer" })).toBe("dropped");

  // INVALID_FRAME, UNKNOWN_TYPE, UNKNOWN_COMMAND, NOT_FROM_RELAY, HANDLER_FAILED, RELAY_ERROR.
  const target = make(room, "Target", { WebSocket: recording.WebSocket });
  target.addCmdFunction("explode", () => {
    throw new Error("boom");
  });
  await events.identifiedTimes(1);
  const socket = recording.sockets[0];
  if (socket === undefined) throw new Error("no socket");
  deliver(socket, "not json");
  // MISSED_FRAMES: the relay says it could not keep frames for the name.
  deliver(
    socket,
    '{"type":"mail","data":{"first":1,"count":0,"missed":2},"from":"server","target":["Target"]}',
  );
  peer.send({ type: "unheard", target: "Target" });
  peer.send(cmd("nobody_home", {}, "Target", "Peer"));
  peer.send(cmd("set_time", { time: 1 }, "Target", "Peer"));
  peer.send(cmd("explode", {}, "Target", "Peer"));
  target.writeToSocket({ type: "note", target: ["Gone"] });

  // FATAL_CLOSE: the name is taken.
  make(room, "Target");

  // UPGRADE_REFUSED: a bad room name.
  make("x".repeat(65), "Refused");

  // CONNECTION_ERROR: nothing listens there.
  make(room, "Nowhere", { reconnect: false }, "ws://127.0.0.1:9");
  // RETRIES_EXHAUSTED: nothing listens there, and no reconnect is allowed.
  make(room, "GaveUp", { maxRetries: 0 }, "ws://127.0.0.1:9");

  // UNCONFIRMED: frames the relay never got, on a connection that is then cut.
  const proxy = await TcpProxy.start(server);
  try {
    // Without delivery: with it, the frame would be sent again instead of reported.
    const capabilities = ["errors", "undelivered", "resume", "heartbeat", "batch", "acks"] as const;
    const cut = make(room, "Cut", { capabilities }, proxy.url);
    await events.until(() => cut.state === "identified", "the cut client's identify");
    const connection = await proxy.connection(0);
    connection.stall("toRelay");
    cut.writeToSocket({ type: "note", target: "Peer" });
    await eventually(() => cut.unconfirmedFrames === 1, "a frame awaiting its ack");
    connection.cut();
    // RECEIPT_TIMEOUT and READY_TIMEOUT only ever reject a promise (checked below).
    const codes = Object.values(ClientErrorCode).filter((code) => !promiseOnly.has(code));
    await events.until(
      () => codes.every((code) => events.errors.some((error) => error.code === code)),
      "an error of every code",
      10_000,
    );
    cut.close();
  } finally {
    await proxy.close();
  }
  const later = make(room, "Later", { autoConnect: false });
  const timedOut: unknown = await later
    .deliver({ type: "note", target: "Peer" }, { timeout: 1 })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(timedOut).toBeInstanceOf(foreign.ReceiptTimeoutError);
  expect(isWsComSrvError(timedOut, ClientErrorCode.receiptTimeout)).toBe(true);
  const notReady: unknown = await later.ready(1).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(notReady).toBeInstanceOf(foreign.WsComSrvError);
  expect(isWsComSrvError(notReady, ClientErrorCode.readyTimeout)).toBe(true);
  later.close();
  expect(new Set(events.errors.map((error) => error.code))).toEqual(
    new Set(Object.values(ClientErrorCode).filter((code) => !promiseOnly.has(code))),
  );
  for (const error of events.errors) {
    expect(error instanceof WsComSrvError).toBe(false);
    expect(error instanceof Error).toBe(false);
    expect(isWsComSrvError(error)).toBe(true);
    expect(isWsComSrvError(error, error.code)).toBe(true);
    expect(error).toBeInstanceOf(foreign.WsComSrvError);
  }
  target.close();
  peer.socket.close();
});

import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ClientErrorCode,
  type CommandContext,
  commandMessage,
  dataPointMessage,
  type HandlerError,
  type Json,
  levelMessage,
  type MessageContext,
  simpleMessage,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, recordingWebSocket } from "../support/sdk-client.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

it("runs a command with its kwargs, and tells it the sender, args and raw frame", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Player2");
  await events.identifiedTimes(1);
  const calls: Array<{ caught: Json | undefined; context: CommandContext }> = [];
  expect(
    wsc.addCmdFunction("pass_ball", ({ catch: caught }, context) => {
      calls.push({ caught, context });
      events.wake();
    }),
  ).toBe(true);
  const peer = await join(server, room, "Player1");
  peer.send(cmd("pass_ball", { catch: false, spin: 3 }, "Player2", "Player1"));
  peer.send({
    type: "cmd",
    data: { cmd: "pass_ball", args: [1, "two"], kwargs: {} },
    target: "Player2",
  });
  await events.until(() => calls.length === 2, "two calls");
  expect(calls[0]?.caught).toBe(false);
  expect(calls[0]?.context).toMatchObject({
    sender: "Player1",
    command: "pass_ball",
    args: [],
    message: { type: "cmd", from: "Player1", target: ["Player2"] },
  });
  expect(JSON.parse(calls[0]?.context.raw ?? "")).toEqual({
    type: "cmd",
    data: { cmd: "pass_ball", args: [], kwargs: { catch: false, spin: 3 } },
    from: "Player1",
    target: ["Player2"],
    relayTime: calls[0]?.context.relayTime,
  });
  expect(calls[0]?.context.relayTime).toBeTypeOf("number");
  // The seed's catch=None: a kwarg that was not sent reads as undefined.
  expect(calls[1]?.caught).toBeUndefined();
  expect(calls[1]?.context.args).toEqual([1, "two"]);
  expect(calls[0]?.context.client).toBe(wsc);
  wsc.close();
  peer.socket.close();
});

it("awaits an async command function and can answer through the context", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Echo");
  wsc.addCmdFunction("echo", async ({ text }, { client: self, sender }) => {
    await Promise.resolve();
    self.writeToSocket(commandMessage("echoed", self.name, sender ?? "", { text: text ?? null }));
  });
  await events.identifiedTimes(1);
  const peer = await join(server, room, "Caller");
  peer.send(cmd("echo", { text: "hi" }, "Echo", "Caller"));
  expect(await peer.next()).toMatchObject({
    from: "Echo",
    data: { cmd: "echoed", kwargs: { text: "hi" } },
  });
  wsc.close();
  peer.socket.close();
});

it("dispatches other types to addMessageType functions; the builders make the seed's frames", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Plotter");
  const got: Array<[string, Json | undefined, MessageContext]> = [];
  wsc.addMessageType("message", (data, context) => {
    got.push(["message", data, context]);
    events.wake();
  });
  wsc.addMessageType("data", (data, context) => {
    got.push(["data", data, context]);
    events.wake();
  });
  await events.identifiedTimes(1);
  const sensor = client(server, room, "Sensor");
  await sensor.events.identifiedTimes(1);
  sensor.client.writeToSocket(simpleMessage("hello", "Sensor", "Plotter", "greeting"));
  sensor.client.writeToSocket(levelMessage("hot", "warning", "Sensor", ["Plotter"]));
  sensor.client.writeToSocket(dataPointMessage("temperature", 1, 21.5, "Sensor", "Plotter", 10));
  await events.until(() => got.length === 3, "three frames");
  expect(got.map(([type, data]) => [type, data])).toEqual([
    ["message", { content: "hello", title: "greeting", level: "info" }],
    ["message", { content: "hot", title: "", level: "warning" }],
    ["data", { key: "temperature", x: 1, y: 21.5, t: 10 }],
  ]);
  expect(got[0]?.[2].sender).toBe("Sensor");
  // Every valid frame went through the message hooks first.
  expect(events.messages.filter((m) => m.from === "Sensor")).toHaveLength(3);
  wsc.close();
  sensor.client.close();
});

it("reports unknown types, unknown commands and relay-only commands from peers", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Strict");
  await events.identifiedTimes(1);
  const peer = await join(server, room, "Peer");
  peer.send({ type: "mystery", data: 1, target: "Strict" });
  peer.send(cmd("no_such_command", {}, "Strict", "Peer"));
  peer.send(cmd("set_time", { time: 1 }, "Strict", "Peer"));
  peer.send(cmd("indentify", {}, "Strict", "Peer"));
  await events.until(() => events.errors.length === 4, "four errors");
  expect(events.errors.map((e) => e.code)).toEqual([
    ClientErrorCode.unknownType,
    ClientErrorCode.unknownCommand,
    ClientErrorCode.notFromRelay,
    ClientErrorCode.notFromRelay,
  ]);
  expect(events.errors[0]?.message).toMatch(/"mystery".*Peer.*addMessageType/);
  expect(events.errors[1]?.message).toMatch(/"no_such_command".*Peer.*addCmdFunction/);
  expect(wsc.time).not.toBe(1);
  wsc.close();
  peer.socket.close();
});

it("reports frames that are not valid envelopes and goes on", async () => {
  // The relay forwards only valid envelopes, so the bad frames are put on the live socket
  // to the relay from below, as a broken relay or proxy would deliver them.
  const recording = recordingWebSocket();
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Robust", {
    WebSocket: recording.WebSocket,
  });
  let pings = 0;
  wsc.addCmdFunction("ping_me", () => {
    pings += 1;
    events.wake();
  });
  await events.identifiedTimes(1);
  const socket = recording.sockets[0];
  if (socket === undefined) throw new Error("no socket");
  for (const text of [
    "not json",
    "[1,2]",
    '{"type":"x"}',
    '{"type":"cmd","data":{},"target":"a"}',
  ]) {
    socket.emit("message", Buffer.from(text), false);
  }
  socket.emit("message", Buffer.from([1, 2, 3]), true);
  await events.until(() => events.errors.length === 5, "five errors");
  expect(events.errors.map((e) => [e.code, "reason" in e ? e.reason : undefined])).toEqual([
    [ClientErrorCode.invalidFrame, "BAD_JSON"],
    [ClientErrorCode.invalidFrame, "NOT_AN_OBJECT"],
    [ClientErrorCode.invalidFrame, "BAD_TARGET"],
    [ClientErrorCode.invalidFrame, "BAD_ENVELOPE"],
    [ClientErrorCode.invalidFrame, "BINARY_FRAME"],
  ]);
  expect(events.errors[0]?.message).toMatch(/not valid JSON/);
  const peer = await join(server, room, "Peer");
  peer.send(cmd("ping_me", {}, "Robust", "Peer"));
  await events.until(() => pings === 1, "the client to go on working");
  wsc.close();
  peer.socket.close();
});

it("sends throwing and rejecting handlers to the error hooks and keeps working", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Fragile");
  let good = 0;
  wsc.addCmdFunction("explode", () => {
    throw new Error("boom");
  });
  wsc.addCmdFunction("reject", async () => {
    throw new Error("async boom");
  });
  wsc.addCmdFunction("fine", () => {
    good += 1;
    events.wake();
  });
  wsc.addMessageType("note", () => {
    throw new Error("type boom");
  });
  wsc.addOnMessage("nosy", (message) => {
    if (message.type === "note") throw new Error("hook boom");
  });
  await events.identifiedTimes(1);
  const peer = await join(server, room, "Peer");
  peer.send(cmd("explode", {}, "Fragile", "Peer"));
  peer.send(cmd("reject", {}, "Fragile", "Peer"));
  peer.send({ type: "note", data: null, target: "Fragile" });
  peer.send(cmd("fine", {}, "Fragile", "Peer"));
  await events.until(
    () => good === 1 && events.errors.length === 4,
    "the fine command and 4 errors",
  );
  const failures = events.errors.map((e) => [e.code, (e as HandlerError).handler, e.message]);
  expect(failures).toEqual(
    expect.arrayContaining([
      [ClientErrorCode.handlerFailed, 'command "explode"', 'command "explode" failed: boom'],
      [ClientErrorCode.handlerFailed, 'command "reject"', 'command "reject" failed: async boom'],
      [
        ClientErrorCode.handlerFailed,
        'message type "note"',
        'message type "note" failed: type boom',
      ],
      [
        ClientErrorCode.handlerFailed,
        'message hook "nosy"',
        'message hook "nosy" failed: hook boom',
      ],
    ]),
  );
  const explode = events.errors.find((e) => e.message.startsWith('command "explode"'));
  expect(explode?.cause).toBeInstanceOf(Error);
  expect(explode?.cause).toHaveProperty("message", "boom");
  expect(wsc.state).toBe("identified");
  wsc.close();
  peer.socket.close();
});

it("surfaces the relay's error reports: undelivered targets and refused frames", async () => {
  const room = freshRoom();
  const { client: wsc, events } = client(server, room, "Sender");
  await events.identifiedTimes(1);
  const peer = await join(server, room, "Here");
  expect(wsc.writeToSocket(commandMessage("hello", "Sender", ["Here", "Gone", "Away"]))).toBe(
    "sent",
  );
  expect(await peer.next()).toMatchObject({ from: "Sender", data: { cmd: "hello" } });
  wsc.writeToSocket({ type: "note", data: 1, target: [] });
  wsc.writeToSocket(commandMessage("close_socket", "Sender"));
  await events.until(() => events.relayErrors.length === 3, "three relay errors");
  const [undelivered, badTarget, forbidden] = events.relayErrors;
  expect(undelivered).toMatchObject({
    code: ClientErrorCode.relayError,
    relayCode: "UNDELIVERED",
    targets: ["Gone", "Away"],
    ref: { type: "cmd", cmd: "hello" },
  });
  expect(badTarget?.relayCode).toBe("BAD_TARGET");
  expect(forbidden?.relayCode).toBe("FORBIDDEN_COMMAND");
  // They reach the error hooks too.
  expect(events.errors.filter((e) => e.code === ClientErrorCode.relayError)).toHaveLength(3);
  wsc.close();
  peer.socket.close();
});

import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocketClient } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { client, recordingWebSocket } from "../support/sdk-client.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

type Adder =
  | "addOnOpen"
  | "addOnClose"
  | "addOnError"
  | "addOnMessage"
  | "addOnIdentified"
  | "addOnRelayError";
type Remover =
  | "removeOnOpen"
  | "removeOnClose"
  | "removeOnError"
  | "removeOnMessage"
  | "removeOnIdentified"
  | "removeOnRelayError";

const pairs: Array<[Adder, Remover]> = [
  ["addOnOpen", "removeOnOpen"],
  ["addOnClose", "removeOnClose"],
  ["addOnError", "removeOnError"],
  ["addOnMessage", "removeOnMessage"],
  ["addOnIdentified", "removeOnIdentified"],
  ["addOnRelayError", "removeOnRelayError"],
];

it.each(pairs)(
  "%s keeps a taken name unless told to overwrite; %s removes by name",
  (add, remove) => {
    const { client: wsc, events } = client(server, freshRoom(), "Hooks", { autoConnect: false });
    const first = (): void => {};
    const second = (): void => {};
    expect(wsc[add]("log", first)).toBe(true);
    expect(wsc[add]("log", second)).toBe(false);
    expect(events.warnings).toHaveLength(1);
    expect(events.warnings[0]).toMatch(new RegExp(`${add}: "log" is already registered`));
    expect(wsc[add]("log", second, true)).toBe(true);
    expect(events.warnings).toHaveLength(1);
    expect(wsc[remove]("log")).toBe(true);
    expect(wsc[remove]("log")).toBe(false);
    expect(wsc[add]("log", first)).toBe(true);
  },
);

it("addCmdFunction and addMessageType follow the same rules; the defaults are protected", () => {
  const { client: wsc, events } = client(server, freshRoom(), "Tables", { autoConnect: false });
  const fn = (): void => {};
  expect(wsc.addCmdFunction("go", fn)).toBe(true);
  expect(wsc.addCmdFunction("go", fn)).toBe(false);
  expect(wsc.addCmdFunction("set_time", fn)).toBe(false);
  expect(wsc.addCmdFunction("indentify", fn)).toBe(false);
  expect(events.warnings).toHaveLength(3);
  expect(wsc.addCmdFunction("go", fn, true)).toBe(true);
  expect(wsc.removeCmdFunction("go")).toBe(true);
  expect(wsc.removeCmdFunction("go")).toBe(false);
  expect(wsc.addMessageType("data", fn)).toBe(true);
  expect(wsc.addMessageType("data", fn)).toBe(false);
  expect(wsc.addMessageType("data", fn, true)).toBe(true);
  expect(wsc.removeMessageType("data")).toBe(true);
  expect(wsc.removeMessageType("data")).toBe(false);
  expect(events.warnings).toHaveLength(4);
});

it("calls seed-style hooks without arguments in use, in the order added", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "Order", { autoConnect: false });
  const calls: string[] = [];
  wsc.addOnOpen("a", () => calls.push("open a"));
  wsc.addOnOpen("b", () => calls.push("open b"));
  wsc.addOnOpen("a", () => calls.push("open a2"), true);
  wsc.addOnClose("c", () => calls.push("close"));
  wsc.addOnIdentified("i", (info) => calls.push(`identified ${info.name}`));
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  wsc.close();
  await events.until(() => events.closes.length === 1, "the close");
  expect(calls).toEqual(["open a2", "open b", "identified Order", "close"]);
});

it("a removed hook is not called; a hook may remove itself while hooks run", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "Removal", { autoConnect: false });
  const calls: string[] = [];
  wsc.addOnMessage("gone", () => calls.push("gone"));
  wsc.removeOnMessage("gone");
  wsc.addOnMessage("once", () => {
    calls.push("once");
    wsc.removeOnMessage("once");
  });
  wsc.addOnMessage("always", () => calls.push("always"));
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  // indentify, set_time and identified: three frames.
  expect(calls).toEqual(["once", "always", "always", "always"]);
  wsc.close();
});

it("on() adds an anonymous hook and returns its remover", async () => {
  const { client: wsc, events } = client(server, freshRoom(), "On", { autoConnect: false });
  let opens = 0;
  const off = wsc.on("open", () => {
    opens += 1;
  });
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  expect(opens).toBe(1);
  off();
  wsc.connectToSocket();
  await events.identifiedTimes(2);
  expect(opens).toBe(1);
  wsc.close();
});

it("logs errors when no error hook is registered, and errors of error hooks themselves", () => {
  const logged: string[] = [];
  const logger = {
    warn: (...data: unknown[]) => logged.push(`warn ${data.join(" ")}`),
    error: (...data: unknown[]) => logged.push(`error ${data.join(" ")}`),
  };
  const wsc = new WebSocketClient("Quiet", { logger });
  wsc.close();
  expect(wsc.writeToSocket("{}")).toBe("dropped");
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatch(/^warn \[Quiet\] CLIENT_CLOSED: the client was closed/);
  wsc.addOnError("broken", () => {
    throw new Error("hook failed");
  });
  expect(wsc.writeToSocket("{}")).toBe("dropped");
  expect(logged).toHaveLength(2);
  expect(logged[1]).toMatch(/^error \[Quiet\] error hook "broken" failed: Error: hook failed/);
});

it("keeps the resume secret out of every hook: message hooks see identified without it", async () => {
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, freshRoom(), "Secretive", {
    WebSocket: recording.WebSocket,
  });
  const seen: string[] = [];
  wsc.addOnMessage("log", (message, context) => {
    seen.push(JSON.stringify(message), JSON.stringify(context.message), context.raw);
  });
  wsc.on("message", (message) => seen.push(JSON.stringify(message)));
  wsc.addCmdFunction("identified", (kwargs, context) => {
    seen.push(JSON.stringify(kwargs), context.raw);
  });
  wsc.on("identified", (info) => seen.push(JSON.stringify(info)));
  wsc.on("error", (error) => seen.push(error.message));
  await events.identifiedTimes(1);
  // Again on a new connection: the identify presents the secret, and the answer carries it.
  wsc.connectToSocket();
  await events.identifiedTimes(2);
  const secrets = recording.received
    .map((text) => JSON.parse(text) as { data?: { cmd?: unknown; kwargs?: { resume?: unknown } } })
    .filter((frame) => frame.data?.cmd === "identified")
    .map((frame) => frame.data?.kwargs?.resume);
  expect(secrets).toHaveLength(2);
  const [secret] = secrets;
  if (typeof secret !== "string") throw new Error("the relay sent no resume secret");
  expect(recording.sent.filter((text) => text.includes(secret))).toHaveLength(1);
  // The message hooks saw both answers, without the secret; nothing else saw it either.
  const answers = events.messages.filter((m) => (m.data as { cmd?: unknown }).cmd === "identified");
  expect(answers).toHaveLength(2);
  expect(answers[0]).toMatchObject({
    type: "cmd",
    from: "server",
    data: { cmd: "identified", kwargs: { name: "Secretive" } },
  });
  expect(answers[0]?.data).not.toHaveProperty("kwargs.resume");
  expect(seen.length).toBeGreaterThan(10);
  expect(seen.filter((text) => text.includes(secret))).toEqual([]);
  expect([...events.warnings, ...events.errors.map((e) => e.message)].join()).not.toContain(secret);
  wsc.close();
});

import { expect, it } from "vitest";
import {
  ClientErrorCode,
  FatalCloseError,
  isWsComSrvError,
  UpgradeRefusedError,
  WsComSrvError,
} from "../../src/client/node.js";
import { freshRoom, join, relayForFile } from "../support/relay.js";
import { client, recordingWebSocket } from "../support/sdk-client.js";
import { sync } from "../support/session.js";

const relay = relayForFile();

/** What `promise` rejected with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

it("ready() resolves at the identify, and at once while identified", async () => {
  const { client: wsc, events } = client(relay(), freshRoom(), "Ready");
  const info = await wsc.ready(5_000);
  expect(info.name).toBe("Ready");
  expect(info.capabilities).toContain("presence");
  expect(events.identified).toEqual([info]);
  expect(wsc.state).toBe("identified");
  expect(await wsc.ready()).toBe(info);
  wsc.close();
});

it("ready() waits for connectToSocket when the client is idle", async () => {
  const { client: wsc } = client(relay(), freshRoom(), "Later", { autoConnect: false });
  const ready = wsc.ready(5_000);
  expect(wsc.state).toBe("idle");
  wsc.connectToSocket();
  expect((await ready).name).toBe("Later");
  wsc.close();
});

it("ready() rejects with the FatalCloseError when the name is held by another live client", async () => {
  const room = freshRoom();
  const holder = client(relay(), room, "Twin");
  await holder.client.ready(5_000);
  const twin = client(relay(), room, "Twin");
  const error = await rejection(twin.client.ready(5_000));
  expect(error).toBeInstanceOf(FatalCloseError);
  expect(error).toMatchObject({ code: ClientErrorCode.fatalClose, closeCode: 4009 });
  // The same error, once, to the error hooks; no reconnect.
  expect(twin.events.errors.filter((e) => e.code === ClientErrorCode.fatalClose)).toEqual([error]);
  expect(twin.client.state).toBe("closed");
  // Closed for good: a later ready() rejects at once with the same error.
  expect(await rejection(twin.client.ready())).toBe(error);
  expect(holder.client.state).toBe("identified");
  holder.client.close();
});

it("ready() rejects with the UpgradeRefusedError of a fatal status", async () => {
  const wrong = client(relay(), "x".repeat(65), "Refused");
  const error = await rejection(wrong.client.ready(5_000));
  expect(error).toBeInstanceOf(UpgradeRefusedError);
  expect(error).toMatchObject({ code: ClientErrorCode.upgradeRefused, status: 400, fatal: true });
});

it("ready() rejects with CLIENT_CLOSED when close() is called first", async () => {
  const { client: wsc } = client(relay(), freshRoom(), "Closer", { autoConnect: false });
  const waiting = rejection(wsc.ready(5_000));
  wsc.close();
  const error = await waiting;
  expect(isWsComSrvError(error, ClientErrorCode.clientClosed)).toBe(true);
  expect(error).toBeInstanceOf(WsComSrvError);
  expect((error as Error).message).toMatch(/close\(\) was called/);
  // connectToSocket undoes the close: ready() waits again, and resolves.
  wsc.connectToSocket();
  expect((await wsc.ready(5_000)).name).toBe("Closer");
  wsc.close();
});

it("ready() rejects with READY_TIMEOUT, which no error hook sees", async () => {
  const { client: wsc, events } = client(relay(), freshRoom(), "Slow", { autoConnect: false });
  const error = await rejection(wsc.ready(30));
  expect(isWsComSrvError(error, ClientErrorCode.readyTimeout)).toBe(true);
  expect((error as Error).message).toBe(
    "the client was not identified within 30 ms (state: idle when ready() was called)",
  );
  expect(events.errors).toEqual([]);
  expect(() => wsc.ready(0)).toThrow(RangeError);
  expect(() => wsc.ready(Number.NaN)).toThrow("timeoutMs must be a number > 0, got NaN");
  wsc.close();
});

it("once() runs a hook at the next event only; its remover cancels it", async () => {
  const { client: wsc, events } = client(relay(), freshRoom(), "Once", { autoConnect: false });
  const opened: number[] = [];
  const identified: string[] = [];
  wsc.once("open", () => opened.push(opened.length));
  const cancel = wsc.once("close", () => identified.push("never"));
  wsc.once("identified", ({ name }) => identified.push(name));
  cancel();
  wsc.connectToSocket();
  await events.identifiedTimes(1);
  // A second connection: the once hooks are gone.
  wsc.connectToSocket();
  await events.identifiedTimes(2);
  expect(events.opens).toHaveLength(2);
  expect(opened).toEqual([0]);
  expect(identified).toEqual(["Once"]);
  wsc.close();
  await events.until(() => events.closes.length === 1, "the close");
  expect(identified).toEqual(["Once"]);
  expect(() => wsc.once("open", "nope" as never)).toThrow(
    'once("open", fn): fn must be a function, got string',
  );
});

it("send() and command() leave out the sender name; the relay stamps it", async () => {
  const room = freshRoom();
  const peer = await join(relay(), room, "Peer");
  const other = await join(relay(), room, "Other");
  const recording = recordingWebSocket();
  const { client: wsc } = client(relay(), room, "Sender", {
    WebSocket: recording.WebSocket,
    batch: false,
  });
  // Before the identify: queued, sent after it.
  expect(wsc.send("Peer", "data", { key: "t", x: 1, y: 2 })).toBe("queued");
  await wsc.ready(5_000);
  expect(wsc.command(["Peer"], "pass_ball", { catch: true })).toBe("sent");
  expect(wsc.send("Peer", "note")).toBe("sent");
  const [data, command, note] = await peer.take(3);
  expect(data).toMatchObject({
    type: "data",
    data: { key: "t", x: 1, y: 2 },
    from: "Sender",
    target: ["Peer"],
  });
  expect(command).toMatchObject({
    type: "cmd",
    data: { cmd: "pass_ball", args: [], kwargs: { catch: true } },
    from: "Sender",
    target: ["Peer"],
  });
  expect(note).toMatchObject({ type: "note", data: {}, from: "Sender" });
  const written = recording.sent.filter((text) => !text.includes('"indentify"'));
  expect(written.some((text) => text.includes('"pass_ball"'))).toBe(true);
  for (const text of written) expect(JSON.parse(text)).not.toHaveProperty("from");
  // The relay handled Other's ping after the three frames: anything sent to Other comes first.
  expect(await sync(other, "Other")).toEqual([]);
  wsc.close();
});

it("send() and command() refuse a bad target, type, command or kwargs at once", () => {
  const { client: wsc, events } = client(relay(), freshRoom(), "Picky", { autoConnect: false });
  expect(() => wsc.send("", "data", {})).toThrow(
    'send: target must be a name or a non-empty list of names, got ""',
  );
  expect(() => wsc.send([], "data", {})).toThrow("send: target must be a name");
  expect(() => wsc.send("Peer", "", {})).toThrow("type must be a non-empty string");
  expect(() => wsc.send("Peer", "cmd", {})).toThrow("use client.command(target, cmd, kwargs)");
  expect(() => wsc.command("Peer", "")).toThrow("cmd must be a non-empty string");
  expect(() => wsc.command("Peer", "go", [] as never)).toThrow("kwargs must be an object");
  expect(() => wsc.command(["Peer", ""], "go")).toThrow("command: target must be a name");
  expect(wsc.queuedFrames).toBe(0);
  expect(events.errors).toEqual([]);
  wsc.close();
});

it("a function where a hook's name goes names the right call", () => {
  const { client: wsc } = client(relay(), freshRoom(), "Mistaken", { autoConnect: false });
  const fn = (): void => {};
  const loose = wsc as unknown as Record<string, (...args: unknown[]) => unknown>;
  const hooks = [
    ["addOnOpen", "open"],
    ["addOnClose", "close"],
    ["addOnError", "error"],
    ["addOnMessage", "message"],
    ["addOnIdentified", "identified"],
    ["addOnRelayError", "relayError"],
    ["addOnUnconfirmed", "unconfirmed"],
    ["addOnJoin", "join"],
    ["addOnLeave", "leave"],
  ] as const;
  for (const [method, event] of hooks) {
    const add = loose[method]?.bind(wsc);
    expect(() => add?.(fn)).toThrow(
      new TypeError(
        `${method}(name, fn): the first argument is the hook's name (a string); to add an anonymous hook use client.on("${event}", fn)`,
      ),
    );
  }
  expect(() => loose.addCmdFunction?.call(wsc, fn)).toThrow(
    new TypeError(
      'addCmdFunction(name, fn): the first argument is the command\'s name (a string, the "cmd" of the frames that run fn), such as addCmdFunction("pass_ball", fn)',
    ),
  );
  expect(() => loose.addMessageType?.call(wsc, fn)).toThrow(
    new TypeError(
      'addMessageType(type, fn): the first argument is the frame type (a string, the "type" of the frames that run fn), such as addMessageType("data", fn)',
    ),
  );
  // A right call still works, and a missing function is still named as such.
  expect(wsc.addOnClose("log", fn)).toBe(true);
  expect(() => loose.addOnClose?.call(wsc, "other")).toThrow(
    'addOnClose: expected a function for "other"',
  );
  wsc.close();
});

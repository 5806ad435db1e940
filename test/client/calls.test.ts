import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CallError,
  type ClientOptions,
  isWsComSrvError,
  type WebSocketClient,
} from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, startRelay } from "../support/relay.js";
import { client, type Recorder } from "../support/sdk-client.js";
import { expectQuiet } from "../support/session.js";
import { TcpProxy } from "../support/tcp-proxy.js";

let server: SocketServer;
beforeAll(async () => {
  server = await startRelay();
});
afterAll(() => server.close());

const open: WebSocketClient[] = [];
afterAll(() => {
  for (const wsc of open) wsc.close();
});

/** An identified SDK client of `room`, closed after the file. */
async function member(
  room: string,
  name: string,
  options: ClientOptions = {},
  base: SocketServer | string = server,
): Promise<{ client: WebSocketClient; events: Recorder }> {
  const made = client(base, room, name, options);
  open.push(made.client);
  await made.events.identifiedTimes(1);
  return made;
}

/** The CallError a promise rejects with; fails when it resolves or rejects with anything else. */
async function callError(promise: Promise<unknown>): Promise<CallError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`the call resolved with ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof CallError)) throw error;
  return error;
}

/** A promise with its resolver, for a command function that waits for the test. */
function gate(): { promise: Promise<void>; open: () => void } {
  let release = (): void => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, open: release };
}

describe("calls", () => {
  it("resolves with what a command function returns, synchronously or as a promise", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    dev.client.addCmdFunction("add", ({ a, b }, { sender }) => ({
      sum: Number(a) + Number(b),
      sender: sender ?? null,
    }));
    dev.client.addCmdFunction("later", async ({ n }) => {
      await Promise.resolve();
      return [n, "done"];
    });
    dev.client.addCmdFunction("nothing", () => undefined);
    expect(await gui.client.call("dev", "add", { a: 1, b: 2 })).toEqual({
      sum: 3,
      sender: "gui",
    });
    expect(await gui.client.call("dev", "later", { n: 7 })).toEqual([7, "done"]);
    expect(await gui.client.call("dev", "nothing")).toBeUndefined();
    expect(dev.events.errors).toEqual([]);
    expect(gui.events.errors).toEqual([]);
  });

  it("sends the reply after the frames the function wrote, in order", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    const notes: unknown[] = [];
    gui.client.addMessageType("note", (data) => {
      notes.push(data);
    });
    dev.client.addCmdFunction("work", (_kwargs, { client: self, sender }) => {
      self.writeToSocket({ type: "note", data: "first", target: sender ?? "" });
      self.writeToSocket({ type: "note", data: "second", target: sender ?? "" });
      return "done";
    });
    const value = await gui.client.call("dev", "work");
    expect({ value, notes }).toEqual({ value: "done", notes: ["first", "second"] });
  });

  it("runs the same function for a plain command, whose return value goes nowhere", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const runs: string[] = [];
    dev.client.addCmdFunction("tick", (_kwargs, { sender }) => {
      runs.push(sender ?? "?");
      dev.events.wake();
      return "ignored";
    });
    const peer = await join(server, room, "Peer");
    const other = await join(server, room, "Other");
    peer.send(cmd("tick", {}, "dev", "Peer"));
    await dev.events.until(() => runs.length === 1, "the plain command");
    const gui = await member(room, "gui");
    expect(await gui.client.call("dev", "tick")).toBe("ignored");
    expect(runs).toEqual(["Peer", "gui"]);
    await expectQuiet(peer, other, "Peer", "Other");
  });

  it("rejects with HANDLER_FAILED, the error's name and message, and a stack only when asked", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const loud = await member(room, "loud", { replyStacks: true });
    const gui = await member(room, "gui");
    const fail = (): never => {
      throw new RangeError("no probe 2");
    };
    dev.client.addCmdFunction("read", fail);
    loud.client.addCmdFunction("read", async () => fail());
    const quiet = await callError(gui.client.call("dev", "read", { probe: 2 }));
    expect(quiet).toMatchObject({
      code: "HANDLER_FAILED",
      target: "dev",
      command: "read",
      remoteName: "RangeError",
      remoteMessage: "no probe 2",
      remoteStack: undefined,
    });
    expect(isWsComSrvError(quiet, "HANDLER_FAILED")).toBe(true);
    const withStack = await callError(gui.client.call("loud", "read"));
    expect(withStack.remoteStack).toContain("no probe 2");
    // The caller learns of the throw; the callee's error hooks are not told twice.
    expect(dev.events.errors).toEqual([]);
    expect(gui.events.errors).toEqual([]);
  });

  it("rejects with NO_SUCH_COMMAND when the target has no function for it", async () => {
    const room = freshRoom();
    await member(room, "dev");
    const gui = await member(room, "gui");
    expect(await callError(gui.client.call("dev", "missing"))).toMatchObject({
      code: "NO_SUCH_COMMAND",
      target: "dev",
      command: "missing",
    });
  });

  it("rejects with CALL_TIMEOUT when no reply comes in time, and ignores the late one", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    const slow = gate();
    dev.client.addCmdFunction("slow", async () => {
      await slow.promise;
      return "late";
    });
    const started = Date.now();
    expect(await callError(gui.client.call("dev", "slow", {}, { timeout: 200 }))).toMatchObject({
      code: "CALL_TIMEOUT",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    slow.open();
    // The late reply reaches no hook and no error; the next call still works.
    dev.client.addCmdFunction("ping", () => "pong");
    expect(await gui.client.call("dev", "ping")).toBe("pong");
    expect(gui.events.errors).toEqual([]);
    expect(gui.events.messages.some((message) => message.type === "reply")).toBe(false);
  });

  it("rejects at once with TARGET_CANNOT_REPLY for a seed-protocol target, which gets nothing", async () => {
    const room = freshRoom();
    const seed = await join(server, room, "Seed");
    const other = await join(server, room, "Other");
    const gui = await member(room, "gui");
    expect(await callError(gui.client.call("Seed", "hello"))).toMatchObject({
      code: "TARGET_CANNOT_REPLY",
      target: "Seed",
    });
    await expectQuiet(seed, other, "Seed", "Other");
  });

  it("rejects with TARGET_NOT_CONNECTED for an absent name, and BAD_CALL for a non-name", async () => {
    const room = freshRoom();
    const gui = await member(room, "gui");
    expect(await callError(gui.client.call("Ghost", "hello"))).toMatchObject({
      code: "TARGET_NOT_CONNECTED",
      target: "Ghost",
    });
    expect(await callError(gui.client.call("*", "hello"))).toMatchObject({ code: "BAD_CALL" });
    expect(await callError(gui.client.call("server", "ping"))).toMatchObject({
      code: "BAD_CALL",
    });
    expect(gui.events.errors).toEqual([]);
  });

  it("rejects with TARGET_LEFT when the target goes away before it replies", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    const called = gate();
    dev.client.addCmdFunction("slow", () => {
      called.open();
      return new Promise(() => {});
    });
    const pending = callError(gui.client.call("dev", "slow"));
    await called.promise;
    dev.client.close();
    expect(await pending).toMatchObject({ code: "TARGET_LEFT", target: "dev" });
  });

  it("rejects with CALLER_DROPPED when the caller's own connection drops, or is not up", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const called = gate();
    dev.client.addCmdFunction("slow", () => {
      called.open();
      return new Promise(() => {});
    });
    const proxy = await TcpProxy.start(server);
    try {
      const gui = await member(room, "gui", {}, proxy.url);
      const pending = callError(gui.client.call("dev", "slow"));
      await called.promise;
      (await proxy.connection(0)).cut();
      expect(await pending).toMatchObject({ code: "CALLER_DROPPED", target: "dev" });
      gui.client.close();
    } finally {
      await proxy.close();
    }
    // Not connected at all: it fails at once, nothing is queued.
    const idle = client(server, room, "idle", { autoConnect: false });
    expect(await callError(idle.client.call("dev", "slow"))).toMatchObject({
      code: "CALLER_DROPPED",
    });
  });

  it("rejects with CALL_CANCELLED when the signal aborts, also when it had aborted already", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    const called = gate();
    let runs = 0;
    dev.client.addCmdFunction("slow", () => {
      runs += 1;
      called.open();
      return new Promise(() => {});
    });
    const controller = new AbortController();
    const pending = callError(gui.client.call("dev", "slow", {}, { signal: controller.signal }));
    await called.promise;
    controller.abort();
    expect(await pending).toMatchObject({ code: "CALL_CANCELLED" });
    expect(
      await callError(gui.client.call("dev", "slow", {}, { signal: AbortSignal.abort() })),
    ).toMatchObject({ code: "CALL_CANCELLED" });
    expect(runs).toBe(1);
  });

  it("rejects with REPLY_TOO_LARGE for a result over the relay's frame size or not JSON", async () => {
    const room = freshRoom();
    const dev = await member(room, "dev");
    const gui = await member(room, "gui");
    dev.client.addCmdFunction("huge", () => "x".repeat(1_100_000));
    dev.client.addCmdFunction("big_int", () => 10n);
    dev.client.addCmdFunction("fine", () => "x".repeat(500_000));
    expect(await callError(gui.client.call("dev", "huge"))).toMatchObject({
      code: "REPLY_TOO_LARGE",
    });
    expect(await callError(gui.client.call("dev", "big_int"))).toMatchObject({
      code: "REPLY_TOO_LARGE",
    });
    expect(await gui.client.call("dev", "fine")).toHaveLength(500_000);
  });

  it("callAll calls each target once and resolves with every outcome by name", async () => {
    const room = freshRoom();
    const targets = await Promise.all(["dev1", "dev2", "dev3"].map((name) => member(room, name)));
    for (const { client: wsc } of targets) {
      wsc.addCmdFunction("whoami", (_kwargs, { client: self }) => self.name);
    }
    targets[2]?.client.addCmdFunction(
      "whoami",
      () => {
        throw new Error("shy");
      },
      true,
    );
    const gui = await member(room, "gui");
    const outcomes = await gui.client.callAll(["dev1", "dev2", "dev3", "Ghost", "dev1"], "whoami");
    expect(Object.keys(outcomes).sort()).toEqual(["Ghost", "dev1", "dev2", "dev3"]);
    expect(outcomes.dev1).toEqual({ ok: true, value: "dev1" });
    expect(outcomes.dev2).toEqual({ ok: true, value: "dev2" });
    expect(outcomes.dev3).toMatchObject({
      ok: false,
      error: { code: "HANDLER_FAILED", remoteMessage: "shy" },
    });
    expect(outcomes.Ghost).toMatchObject({ ok: false, error: { code: "TARGET_NOT_CONNECTED" } });
  });

  it("throws at once for a caller's mistake", async () => {
    const room = freshRoom();
    const gui = await member(room, "gui");
    expect(() => gui.client.call("", "x")).toThrow(TypeError);
    expect(() => gui.client.call("dev", "")).toThrow(TypeError);
    expect(() => gui.client.call("dev", "x", {}, { timeout: 0 })).toThrow(RangeError);
    expect(() => gui.client.callAll(["dev"], "x", {}, { timeout: -1 })).toThrow(RangeError);
  });
});

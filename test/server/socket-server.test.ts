import { afterEach, describe, expect, it } from "vitest";
import {
  AddressInUseError,
  type ClientEvent,
  isWsComSrvError,
  SocketServer,
} from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, open } from "../support/relay.js";
import { sync, timeOf } from "../support/session.js";
import { hold, isFree, portOf, release, workerdBelow } from "./children.js";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "exit"] as const;
const listenerCounts = () => SIGNALS.map((signal) => process.listenerCount(signal));

const started: SocketServer[] = [];
async function start(...args: Parameters<typeof SocketServer.start>): Promise<SocketServer> {
  const server = await SocketServer.start(...args);
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

describe("SocketServer", () => {
  it("accepts connections as soon as start resolves, at ws://127.0.0.1:port", async () => {
    const server = await start({ port: 0 });
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
    expect(server.wsAddress).toBe(`ws://127.0.0.1:${server.port}`);
    const inbox = await open(server, freshRoom());
    const [identify, setTime] = await inbox.take(2);
    expect(identify?.data).toMatchObject({ cmd: "indentify" });
    expect(setTime?.data).toMatchObject({ cmd: "set_time" });
  });

  it("starts and closes ten times, leaving no workerd process, port or signal hook", async () => {
    const listeners = listenerCounts();
    const timings: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const t0 = performance.now();
      const server = await SocketServer.start({ port: 0 });
      const t1 = performance.now();
      expect(workerdBelow()).toHaveLength(1);
      await join(server, freshRoom(), "A");
      const t2 = performance.now();
      await server.close();
      const t3 = performance.now();
      timings.push(`start ${(t1 - t0).toFixed(0)} ms, close ${(t3 - t2).toFixed(0)} ms`);
      expect(workerdBelow()).toEqual([]);
      expect(await isFree(server.port)).toBe(true);
    }
    expect(listenerCounts()).toEqual(listeners);
    console.info(`start/close x10: ${timings.join("; ")}`);
  });

  it("closes more than once without error", async () => {
    const server = await SocketServer.start({ port: 0 });
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });

  it("rejects fast with EADDRINUSE when a plain server holds the port", async () => {
    const blocker = await hold();
    const port = portOf(blocker);
    try {
      const t0 = performance.now();
      const error: unknown = await SocketServer.start({ port }).then(
        () => expect.fail("started on a taken port"),
        (rejection: unknown) => rejection,
      );
      const elapsed = performance.now() - t0;
      expect(error).toBeInstanceOf(AddressInUseError);
      expect(isWsComSrvError(error, "EADDRINUSE")).toBe(true);
      expect(isWsComSrvError(error)).toBe(true);
      expect(error).toMatchObject({ code: "EADDRINUSE", host: "127.0.0.1", port });
      expect((error as Error).cause).toMatchObject({ code: "EADDRINUSE" });
      expect(elapsed).toBeLessThan(1_000);
      expect(workerdBelow()).toEqual([]);
    } finally {
      await release(blocker);
    }
  });

  it("rejects with ERR_LISTEN for an address this machine does not have", async () => {
    const error: unknown = await SocketServer.start({ host: "192.0.2.1", port: 9 }).catch(
      (rejection: unknown) => rejection,
    );
    expect(error).toMatchObject({ name: "ListenError", code: "ERR_LISTEN" });
    expect((error as Error).cause).toMatchObject({ code: "EADDRNOTAVAIL" });
    expect(workerdBelow()).toEqual([]);
  });

  it("throws at once for a bad option", () => {
    expect(() => SocketServer.start({ port: 70_000 })).toThrow(RangeError);
    expect(() => SocketServer.start({ port: 1.5 })).toThrow(TypeError);
    expect(() => SocketServer.start({ host: "" })).toThrow(TypeError);
    expect(() => SocketServer.start({ limits: { maxDepth: 0 } })).toThrow(RangeError);
    expect(() => SocketServer.start({ limits: { maxNames: 3 } as never })).toThrow(
      /unknown limit "maxNames"/,
    );
    expect(() => SocketServer.start({ roomPolicy: "closed" as never })).toThrow(TypeError);
    expect(() => SocketServer.start({ allowedOrigins: ["a b"] })).toThrow(TypeError);
    expect(() => SocketServer.start({ tokenKeys: { k1: 5 } as never })).toThrow(TypeError);
  });

  it("rejects with ERR_BUNDLE_MISSING for a bundle that is not there", async () => {
    await expect(
      SocketServer.start({ port: 0, scriptPath: "/nonexistent/index.js" }),
    ).rejects.toMatchObject({ name: "BundleMissingError", code: "ERR_BUNDLE_MISSING" });
  });

  it("runs two independent relays on two ports", async () => {
    const [one, two] = await Promise.all([start({ port: 0 }), start({ port: 0 })]);
    if (one === undefined || two === undefined) throw new Error("not started");
    expect(one.port).not.toBe(two.port);
    const room = freshRoom();
    const oneA = await open(one, room);
    const [, oneTime] = await oneA.take(2);
    const epochOne = timeOf(oneTime);
    // The second room is created at least a millisecond later, so its epoch differs.
    while (Date.now() <= epochOne * 1000) await new Promise((resolve) => setImmediate(resolve));
    const twoA = await open(two, room);
    const [, twoTime] = await twoA.take(2);
    const epochTwo = timeOf(twoTime);
    expect(epochTwo).not.toBe(epochOne);

    // The same names are free on both, and frames stay on their relay.
    oneA.send(cmd("indentify", { name: "A" }, "server", "A"));
    twoA.send(cmd("indentify", { name: "A" }, "server", "A"));
    await sync(oneA, "A");
    await sync(twoA, "A");
    const oneB = await join(one, room, "B");
    const twoB = await join(two, room, "B");
    oneA.send(cmd("pass_ball", { relay: 1 }, "B", "A"));
    expect((await oneB.next()).data).toMatchObject({ kwargs: { relay: 1 } });
    expect(await sync(twoB, "B")).toEqual([]);
  });

  it("reports client events through its hooks", async () => {
    const server = await start({ port: 0 });
    const room = freshRoom();
    const seen: string[] = [];
    const off = server.on("client", (event) => {
      if (event.room !== room) return;
      seen.push(event.type === "identified" ? `identified ${event.name}` : event.type);
    });
    const closed = nextEvent(server, (event) => event.room === room && event.type === "close");
    const inbox = await join(server, room, "A");
    inbox.socket.close(1000);
    expect(await closed).toMatchObject({ type: "close", name: "A", code: 1000 });
    off();
    expect(seen).toEqual(["connect", "identified A", "close"]);
  });
});

/** The next client event that matches, within `timeout` ms. */
function nextEvent(
  server: SocketServer,
  match: (event: ClientEvent) => boolean,
  timeout = 5_000,
): Promise<ClientEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching client event within ${timeout} ms`));
    }, timeout);
    const off = server.on("client", (event) => {
      if (!match(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { cmd, handshakeTexts } from "../support/inbox.js";
import { freshRoom, join, open, startRelay } from "../support/relay.js";
import { commandOf, sync, timeOf } from "../support/session.js";

describe("the local relay, spoken to as a seed client would", () => {
  let server: SocketServer;
  beforeAll(async () => {
    server = await startRelay();
  });
  afterAll(() => server.close());

  it("sends the handshake byte for byte, and routes a command", async () => {
    const room = freshRoom();
    const a = await open(server, room);
    const [, setTime] = await a.take(2);
    const epoch = timeOf(setTime);
    expect(a.raw).toEqual(handshakeTexts(epoch));
    a.send(cmd("indentify", { name: "Player1" }, "server", "Player1"));
    const b = await join(server, room, "Player2");
    b.send(cmd("pass_ball", { catch: true }, "Player1", "Player2"));
    expect(await a.next()).toEqual({
      type: "cmd",
      data: { cmd: "pass_ball", args: [], kwargs: { catch: true } },
      from: "Player2",
      target: ["Player1"],
    });
  });

  it("serves the room default at the bare address", async () => {
    const here = `root-${crypto.randomUUID().slice(0, 8)}`;
    const there = `named-${crypto.randomUUID().slice(0, 8)}`;
    const root = await join(server, "", here);
    const named = await join(server, "default", there);
    named.send({ type: "t", data: "same room", target: here });
    expect(await root.next()).toMatchObject({ data: "same room", from: there });
  });
});

describe("a room with a password", () => {
  let server: SocketServer;
  beforeAll(async () => {
    server = await startRelay({ password: "s3cret" });
  });
  afterAll(() => server.close());

  it("says it needs one, and takes the right one", async () => {
    const room = freshRoom();
    const a = await open(server, room);
    const [ask] = await a.take(2);
    expect(ask).toMatchObject({ data: { cmd: "indentify", kwargs: { requires_password: true } } });
    a.send(cmd("indentify", { name: "A", password: "s3cret" }, "server", "A"));
    expect(await sync(a, "A")).toEqual([]);
  });

  it("answers a wrong password with password_reset and the handshake, and no identity", async () => {
    const room = freshRoom();
    const a = await join(server, room, "A", { password: "s3cret" });
    const b = await open(server, room);
    await b.take(2);
    b.send(cmd("indentify", { name: "B", password: "wrong" }, "server", "B"));
    const frames = await b.take(3);
    expect(frames.map(commandOf)).toEqual(["password_reset", "indentify", "set_time"]);
    expect(b.raw.slice(-2)).toEqual(b.raw.slice(0, 2));
    a.send({ type: "t", data: 1, target: "B" });
    b.send(cmd("indentify", { name: "B", password: "s3cret" }, "server", "B"));
    expect(await sync(b, "B")).toEqual([]);
  });

  it("reports BAD_PASSWORD to a client that asked, and closes after three wrong tries", async () => {
    const room = freshRoom();
    const b = await open(server, room);
    await b.take(2);
    for (let attempt = 1; attempt <= 3; attempt++) {
      b.send(cmd("identify", { name: "B", capabilities: ["errors"] }, "server", "B"));
      expect(await b.next()).toMatchObject({ type: "error", data: { code: "BAD_PASSWORD" } });
      if (attempt < 3) expect((await b.take(3)).map(commandOf)[0]).toBe("password_reset");
    }
    expect(await b.closed()).toEqual({ code: 4001, reason: "too many wrong passwords" });
  });
});

describe("the room epoch across a restart of the local relay", () => {
  it("stays the same on the same storage", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-"));
    try {
      const room = freshRoom();
      const epochOf = async (server: SocketServer) => {
        const inbox = await open(server, room);
        const [, setTime] = await inbox.take(2);
        inbox.socket.close();
        return setTime;
      };
      const first = await startRelay({ persist: dir });
      const before = await epochOf(first);
      const port = first.port;
      await first.close();
      const second = await startRelay({ persist: dir, port });
      const after = await epochOf(second);
      await second.close();
      expect(after).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PersistError, SocketServer, type SocketServerOptions } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, open } from "../support/relay.js";
import { commandOf, timeOf } from "../support/session.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Starts a relay, reads the epoch of `room`, and closes the relay. */
async function epochOf(room: string, options: SocketServerOptions): Promise<number> {
  const server = await SocketServer.start({ port: 0, ...options });
  try {
    const inbox = await open(server, room);
    const [, setTime] = await inbox.take(2);
    inbox.socket.close(1000);
    return timeOf(setTime);
  } finally {
    await server.close();
  }
}

/** Waits until the clock is past `epoch` (seconds), so that a new room gets a new epoch. */
async function clockPast(epoch: number): Promise<void> {
  while (Date.now() <= epoch * 1000) await new Promise((resolve) => setImmediate(resolve));
}

describe("persistence", () => {
  it("keeps the room epoch across a restart with a persistence directory", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-persist-"));
    dirs.push(dir);
    const room = freshRoom();
    const first = await epochOf(room, { persist: dir });
    await clockPast(first);
    expect(await epochOf(room, { persist: dir })).toBe(first);
    expect(await readdir(dir)).not.toEqual([]);
  });

  it("starts every room afresh without one", async () => {
    const room = freshRoom();
    const first = await epochOf(room, {});
    await clockPast(first);
    expect(await epochOf(room, {})).toBeGreaterThan(first);
  });
});

/** What a client that asks for `resume` learns from its identify. */
interface Resumed {
  /** The room epoch, from `set_time`. */
  epoch: number;
  /** The resume secret, from `identified`. */
  secret: string;
}

/** Identifies as `name` in `room` with the capability `resume`, presenting `resume` if given. */
async function identifyForResume(
  server: SocketServer,
  room: string,
  name: string,
  resume?: string,
): Promise<Resumed> {
  const inbox = await open(server, room);
  const [, setTime] = await inbox.take(2);
  const kwargs = { name, capabilities: ["resume"], ...(resume === undefined ? {} : { resume }) };
  inbox.send(cmd("indentify", kwargs, "server", name));
  const identified = await inbox.next();
  expect(commandOf(identified)).toBe("identified");
  const secret = (identified.data as { kwargs?: { resume?: unknown } }).kwargs?.resume;
  if (typeof secret !== "string")
    throw new Error(`no resume secret in ${JSON.stringify(identified)}`);
  expect(timeOf(identified)).toBe(timeOf(setTime));
  return { epoch: timeOf(setTime), secret };
}

describe("persistence of the names' resume secrets", () => {
  it("takes the secret of the earlier run as proof after a restart on the same directory and port", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-resume-"));
    dirs.push(dir);
    const room = freshRoom();
    const first = await SocketServer.start({ port: 0, persist: dir });
    const port = first.port;
    let before: Resumed;
    try {
      before = await identifyForResume(first, room, "Scope1");
    } finally {
      await first.close();
    }
    await clockPast(before.epoch);
    const second = await SocketServer.start({ port, persist: dir });
    const proofs: (string | undefined)[] = [];
    second.on("client", (event) => {
      if (event.type === "identified") proofs.push(event.proof);
    });
    try {
      const after = await identifyForResume(second, room, "Scope1", before.secret);
      expect(after.epoch).toBe(before.epoch);
      // The secret survived the restart: it proved the name; a fresh one replaces it.
      expect(proofs).toEqual(["secret"]);
      expect(after.secret).not.toBe(before.secret);
      // A name that was never taken gets a secret of its own.
      const other = await identifyForResume(second, room, "Scope2");
      expect(other.secret).not.toBe(before.secret);
    } finally {
      await second.close();
    }
  });

  it("gives a new secret and a new epoch after a restart without a directory", async () => {
    const room = freshRoom();
    const first = await SocketServer.start({ port: 0 });
    const port = first.port;
    let before: Resumed;
    try {
      before = await identifyForResume(first, room, "Scope1");
    } finally {
      await first.close();
    }
    await clockPast(before.epoch);
    const second = await SocketServer.start({ port });
    try {
      const after = await identifyForResume(second, room, "Scope1", before.secret);
      expect(after.secret).not.toBe(before.secret);
      expect(after.epoch).toBeGreaterThan(before.epoch);
    } finally {
      await second.close();
    }
  });
});

describe("a persistence directory that cannot be used", () => {
  it("is refused before workerd starts, with the path and what is wrong", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-persist-bad-"));
    dirs.push(dir);
    const file = joinPath(dir, "state.txt");
    await writeFile(file, "");
    const cases: [string, string][] = [
      [file, "is a file, not a directory"],
      [joinPath(file, "sub"), "cannot be used: a part of its path is a file (ENOTDIR)"],
      ["/proc/wscomsrv-state", "cannot be created"],
    ];
    for (const [path, problem] of cases) {
      const error = await SocketServer.start({ port: 0, persist: path }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PersistError);
      expect(error).toMatchObject({
        code: "ERR_PERSIST",
        path,
        problem: expect.stringContaining(problem),
      });
      expect(String((error as Error).message)).toContain(
        `the persistence directory ${path} ${problem}`,
      );
    }
  });

  it("is created with its parents when missing", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-persist-new-"));
    dirs.push(dir);
    const server = await SocketServer.start({ port: 0, persist: joinPath(dir, "a", "b") });
    await server.close();
    expect(await readdir(joinPath(dir, "a", "b"))).not.toEqual([]);
  });
});

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SocketServer, type SocketServerOptions } from "../../src/server/index.js";
import { freshRoom, open } from "../support/relay.js";
import { timeOf } from "../support/session.js";

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

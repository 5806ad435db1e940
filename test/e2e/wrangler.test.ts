import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cmd, handshakeTexts, Inbox } from "../support/inbox.js";
import { type Child, freePort, start, stop } from "../support/process.js";
import { sync, timeOf } from "../support/session.js";

const WRANGLER = join("node_modules", "wrangler", "bin", "wrangler.js");

describe("wrangler", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wscomsrv-wrangler-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds the deploy bundle with --dry-run", async () => {
    const outdir = join(dir, "out");
    const build = start([WRANGLER, "deploy", "--dry-run", "--outdir", outdir]);
    expect(await build.exited, build.output()).toBe(0);
    expect(build.output()).toContain("env.ROOMS (Room)");
    expect(await readFile(join(outdir, "index.js"), "utf8")).toMatch(/class extends DurableObject/);
  });

  describe("dev", () => {
    let dev: Child;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      dev = start([
        WRANGLER,
        "dev",
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(await freePort()),
        "--persist-to",
        join(dir, "state"),
        "--show-interactive-dev-session=false",
      ]);
      await dev.waitFor(/Ready on http:\/\/127\.0\.0\.1:\d+/, 60_000);
    }, 90_000);
    afterAll(() => stop(dev));

    it("answers a client that speaks only the seed's protocol", async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      const seed = new Inbox(socket);
      const [, setTime] = await seed.take(2);
      expect(seed.raw).toEqual(handshakeTexts(timeOf(setTime)));
      seed.send(cmd("indentify", { name: "Player1" }, "server", "Player1"));
      expect(await sync(seed, "Player1")).toEqual([]);
      const other = new Inbox(new WebSocket(`ws://127.0.0.1:${port}/default`));
      await other.take(2);
      other.send(cmd("indentify", { name: "Player2" }, "server", "Player2"));
      other.send(cmd("pass_ball", { catch: true }, "Player1", "Player2"));
      expect(await seed.next()).toEqual({
        type: "cmd",
        data: { cmd: "pass_ball", args: [], kwargs: { catch: true } },
        from: "Player2",
        target: ["Player1"],
      });
      socket.close();
      other.socket.close();
    });
  });
});

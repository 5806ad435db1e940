import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cmd, handshakeTexts, Inbox } from "../support/inbox.js";
import { type Child, freePort, start, stop } from "../support/process.js";
import { sync, timeOf } from "../support/session.js";

const WRANGLER = join("node_modules", "wrangler", "bin", "wrangler.js");
/** No banner and no update check (a network call) in the output, no telemetry either. */
const QUIET = { env: { WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" } };

describe("wrangler", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wscomsrv-wrangler-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds the deploy bundle with --dry-run", async () => {
    const outdir = join(dir, "out");
    const build = start([WRANGLER, "deploy", "--dry-run", "--outdir", outdir], QUIET);
    expect(await build.exited, build.output()).toBe(0);
    expect(build.output()).toContain("env.ROOMS (Room)");
    const bundle = await readFile(join(outdir, "index.js"), "utf8");
    expect(bundle).toMatch(/class extends DurableObject/);
    // The room console, built by the [build] command, is inside the one file.
    expect(build.output()).toContain("[custom build] Running: node scripts/build-console.js");
    expect(bundle).toContain("WsComSrv console");
  });

  describe("dev", () => {
    let dev: Child;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      dev = start(
        [
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
        ],
        QUIET,
      );
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

    it("serves the room console to a browser", async () => {
      const response = await fetch(`http://127.0.0.1:${port}/lab`, {
        headers: { accept: "text/html" },
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<body data-room="lab" data-policy="open">');
      expect(response.headers.get("content-security-policy")).toContain(
        `connect-src ws://127.0.0.1:${port};`,
      );
    });

    it("serves the client's browser build that the console imports", async () => {
      const response = await fetch(`http://127.0.0.1:${port}/_client.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      const integrity = response.headers.get("x-integrity");
      expect(integrity).toMatch(/^sha384-/);
      expect(await response.text()).toContain("//# sourceMappingURL=/_client.js.map");
      const page = await fetch(`http://127.0.0.1:${port}/lab`, {
        headers: { accept: "text/html" },
      });
      expect(await page.text()).toContain(
        `<link rel="modulepreload" href="/_client.js" integrity="${integrity}">`,
      );
    });
  });
});

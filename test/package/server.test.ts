/**
 * The root package (the embedded relay and the `wscomsrv` CLI) as its users get it: packed
 * from a clean tree, installed from the tarball into an empty project, type-checked there,
 * and run: `SocketServer.start()` from a user's script, `npx wscomsrv`, and the token
 * functions.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { cmd, Inbox } from "../support/inbox.js";
import { type Child, start, stop } from "../support/process.js";
import { freshRoom } from "../support/relay.js";
import { identifyAs } from "../support/session.js";
import {
  bareImports,
  childEnv,
  installedVersion,
  type Packed,
  type PackedProject,
  packedProject,
  run,
  typecheck,
} from "./pack.js";

/** What the tarball may hold: the built server, CLI and Worker, the README and docs. */
const ALLOWED = /^(README\.md|package\.json|docs\/[\w-]+\.md|dist\/(server|cli|worker)\/.+)$/;

/** A user's TypeScript file. */
const USER_TS = `import { mintToken, verifyToken, type TokenClaims, type TokenKey } from "wscomsrv-edge";

const key: TokenKey = { id: "k1", secret: "a-secret-of-at-least-32-bytes-0123456789" };
const token: string = await mintToken({ room: "lab", name: "Scope1", ttlSeconds: 60 }, key);
const check = await verifyToken(token, "lab", new Map([[key.id, key.secret]]));
const claims: TokenClaims | undefined = check.ok ? check.claims : undefined;
export { claims };
`;

/** The same in plain JavaScript, printing what it got. */
const USER_JS = `import { mintToken, verifyToken } from "wscomsrv-edge";

const key = { id: "k1", secret: "a-secret-of-at-least-32-bytes-0123456789" };
const token = await mintToken({ room: "lab", name: "Scope1", ttlSeconds: 60 }, key);
const check = await verifyToken(token, "lab", new Map([[key.id, key.secret]]));
console.log(JSON.stringify({ version: token.split(".")[0], claims: check.claims }));
`;

/** A user's program that embeds the relay and closes it once a client has identified. */
const USER_SERVE = `import { SocketServer } from "wscomsrv-edge";

const server = await SocketServer.start({ port: 0 });
server.on("client", async (event) => {
  if (event.type !== "identified") return;
  console.log(\`\${event.name} identified in \${event.room}\`);
  await server.close();
  console.log("embedded relay closed");
});
console.log(\`embedded relay on \${server.wsAddress}\`);
`;

/**
 * A terminal for `npx wscomsrv`: the command in a process group of its own, as a shell runs
 * it; SIGTERM is passed on to that group as Ctrl-C (npm passes no signal on to the bin), and
 * the terminal exits with 0 once every process of the group has ended.
 */
const TERMINAL = `import { spawn } from "node:child_process";

const child = spawn("npx", process.argv.slice(2), { stdio: "inherit", detached: true });
let stopping = false;
child.once("exit", (code) => {
  if (!stopping) process.exit(code ?? 1);
});
process.once("SIGTERM", () => {
  stopping = true;
  process.kill(-child.pid, "SIGINT");
  const poll = setInterval(() => {
    try {
      process.kill(-child.pid, 0);
    } catch {
      clearInterval(poll);
      process.exit(0);
    }
  }, 50);
});
`;

const TSCONFIG = {
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2023"],
    types: ["node"],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ["user.mts"],
};

let installed: PackedProject | undefined;
let project = "";
let packed: Packed;

beforeAll(async () => {
  installed = await packedProject("", {
    "user.mts": USER_TS,
    "token.mjs": USER_JS,
    "serve.mjs": USER_SERVE,
    "terminal.mjs": TERMINAL,
    "tsconfig.json": JSON.stringify(TSCONFIG),
  });
  ({ packed, project } = installed);
}, 300_000);

afterAll(async () => {
  await installed?.remove();
});

/** Opens a `ws` socket to `url`, identifies as `name` and closes the socket. */
async function identifyAt(url: string, name: string): Promise<void> {
  const socket = new WebSocket(url);
  const inbox = new Inbox(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  await identifyAs(inbox, name);
  socket.close();
}

describe("the tarball", () => {
  it("holds the built server, CLI and Worker, the README and docs, and no tests or sources", () => {
    const { files, manifest } = packed;
    expect(files.filter((file) => !ALLOWED.test(file))).toEqual([]);
    const bin = manifest.bin?.wscomsrv?.replace(/^\.\//, "");
    expect(bin).toBeDefined();
    for (const file of [
      "README.md",
      "package.json",
      "dist/server/index.js",
      "dist/server/index.d.ts",
      "dist/worker/index.js",
      bin,
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => file.endsWith(".d.ts"))).toEqual(["dist/server/index.d.ts"]);
  });

  it("is publishable, and depends on what its builds import, at the versions the repository pins", async () => {
    const { manifest } = packed;
    expect(manifest.name).toBe("wscomsrv-edge");
    expect(manifest.private).toBeUndefined();
    const dependencies = manifest.dependencies ?? {};
    expect(dependencies.miniflare).toBe(installedVersion("miniflare"));
    const installed = join(project, "node_modules/wscomsrv-edge");
    const built = packed.files.filter((file) => /^dist\/(server|cli)\/.+\.js$/.test(file));
    const imports = new Set<string>();
    for (const file of built) {
      for (const name of bareImports(await readFile(join(installed, file), "utf8"))) {
        imports.add(name);
      }
    }
    expect([...imports].filter((name) => !(name in dependencies))).toEqual([]);
    for (const name of Object.keys(dependencies)) {
      expect(dependencies[name], name).toBe(installedVersion(name));
    }
  });

  it("declares its API in one file that imports no package", async () => {
    const declarations = await readFile(
      join(project, "node_modules/wscomsrv-edge/dist/server/index.d.ts"),
      "utf8",
    );
    expect(bareImports(declarations)).toEqual([]);
    expect(declarations).not.toMatch(/wscomsrv-protocol/);
  });
});

describe("in a user's project", () => {
  it("types mintToken, verifyToken, TokenClaims and TokenKey under nodenext", async () => {
    const files = await typecheck(project, "tsconfig.json");
    const own = files.filter((file) => file.includes("/node_modules/wscomsrv-edge/"));
    expect(own.map((file) => file.replace(/^.*\/node_modules\//, ""))).toEqual([
      "wscomsrv-edge/dist/server/index.d.ts",
    ]);
  });

  it("exports mintToken and verifyToken from dist/server to Node", async () => {
    const stdout = await run(process.execPath, ["token.mjs"], project, 20_000);
    expect(JSON.parse(stdout)).toMatchObject({
      version: "v1",
      claims: { room: "lab", name: "Scope1" },
    });
    const resolved = await run(
      process.execPath,
      ["--input-type=module", "-e", 'console.log(import.meta.resolve("wscomsrv-edge"))'],
      project,
    );
    expect(resolved.trim()).toMatch(/\/node_modules\/wscomsrv-edge\/dist\/server\/index\.js$/);
  });

  it("SocketServer.start() serves: a client connects and identifies, and close() ends it", async () => {
    const child: Child = start(["serve.mjs"], { cwd: project, env: childEnv() });
    try {
      const [, address] = await child.waitFor(/embedded relay on (ws:\/\/\S+)/);
      const room = freshRoom();
      // The user's program closes its server as soon as the client identified: the socket
      // closes then, so the test waits for that close rather than for an answer.
      const socket = new WebSocket(`${address}/${room}`);
      const inbox = new Inbox(socket);
      await inbox.take(2);
      inbox.send(cmd("indentify", { name: "Embedded" }, "server", "Embedded"));
      await inbox.closed(10_000);
      await child.waitFor(/embedded relay closed/);
      expect(await child.exited).toBe(0);
      expect(child.output()).toContain(`Embedded identified in ${room}`);
    } finally {
      await stop(child);
    }
  });

  it("npx wscomsrv serves on a free port: a client connects and identifies", async () => {
    const child: Child = start(["terminal.mjs", "--no", "wscomsrv", "serve", "--port", "0"], {
      cwd: project,
      env: childEnv(),
    });
    try {
      const [, address] = await child.waitFor(/wscomsrv listening on (ws:\/\/\S+)/);
      await identifyAt(`${address}/${freshRoom()}`, "Npx");
      expect(await stop(child)).toBe(0);
    } finally {
      await stop(child);
    }
  });
});

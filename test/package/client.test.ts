/**
 * The client package as its users get it: packed from a clean tree, installed from the
 * tarball into an empty project, type-checked there under `moduleResolution` "bundler" and
 * "node16" (ESM and CommonJS), and run in Node 20 and Node 22 against the relay.
 */

import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { NODE20, type Packed, type PackedProject, packedProject, run, typecheck } from "./pack.js";

const execFileAsync = promisify(execFile);

/** Every file the tarball holds, and nothing else. */
const TARBALL_FILES = [
  "README.md",
  "dist/browser.js",
  "dist/browser.js.map",
  "dist/index.d.cts",
  "dist/index.d.ts",
  "dist/node.cjs",
  "dist/node.cjs.map",
  "dist/node.js",
  "dist/node.js.map",
  "package.json",
];

/**
 * A user's Node program, the same text as ESM (`.mts`) and CommonJS (`.cts`): two clients,
 * one asks the other by command and prints the answer.
 */
const USER_NODE = `import { commandMessage, WebSocketClient } from "wscomsrv-client";

const [url = "", tag = ""] = process.argv.slice(2);
const ping = new WebSocketClient(\`Ping\${tag}\`, { host: url });
const pong = new WebSocketClient(\`Pong\${tag}\`, { host: url });
for (const client of [ping, pong]) {
  client.addOnError("fail", (error) => {
    console.error(error);
    process.exit(1);
  });
}
pong.addCmdFunction("ask", ({ n }, { sender }) => {
  const answer = typeof n === "number" ? n + 1 : -1;
  pong.writeToSocket(commandMessage("answer", \`Pong\${tag}\`, sender, { n: answer }));
});
ping.addCmdFunction("answer", ({ n }, { sender }) => {
  console.log(JSON.stringify({ node: process.version, sender, n, state: ping.state }));
  ping.close();
  pong.close();
});
let identified = 0;
const ask = (): void => {
  identified += 1;
  if (identified === 2) ping.writeToSocket(commandMessage("ask", \`Ping\${tag}\`, \`Pong\${tag}\`, { n: 41 }));
};
ping.addOnIdentified("ask", ask);
pong.addOnIdentified("ask", ask);
// @ts-expect-error: a number is no frame, so the types are real and not \`any\`
if (tag === "never") ping.writeToSocket(42);
`;

/** A user's browser module, checked under `moduleResolution: "bundler"` with the DOM only. */
const USER_BROWSER = `import { commandMessage, WebSocketClient } from "wscomsrv-client";

const wsc = new WebSocketClient("Player1", { host: "wss://relay.example.com/lab" });
wsc.addCmdFunction("pass_ball", ({ catch: caught }, { sender }) => console.log(sender, caught));
export const sent = wsc.writeToSocket(commandMessage("pass_ball", "Player1", "Player2", { catch: true }));
// @ts-expect-error: a number is no frame, so the types are real and not \`any\`
wsc.writeToSocket(42);
`;

const STRICT = { strict: true, skipLibCheck: false, target: "es2022" };

const TSCONFIG_NODE16 = {
  compilerOptions: {
    ...STRICT,
    module: "node16",
    moduleResolution: "node16",
    lib: ["es2023"],
    types: ["node"],
    outDir: "out",
  },
  files: ["user.mts", "user.cts"],
};

const TSCONFIG_BUNDLER = {
  compilerOptions: {
    ...STRICT,
    module: "esnext",
    moduleResolution: "bundler",
    lib: ["es2023", "dom"],
    types: [],
    noEmit: true,
  },
  files: ["browser.ts"],
};

let installed: PackedProject | undefined;
let project = "";
let packed: Packed;
let server: SocketServer;
/** The files each check used, or its diagnostics; started as soon as the project is there. */
let node16: Promise<string[]>;
let bundler: Promise<string[]>;

/** Starts `check` and marks it handled, so that it may fail before a test awaits it. */
function started(check: Promise<string[]>): Promise<string[]> {
  check.catch(() => undefined);
  return check;
}

beforeAll(async () => {
  [server, installed] = await Promise.all([
    startRelay(),
    packedProject("src/client", {
      "user.mts": USER_NODE,
      "user.cts": USER_NODE,
      "browser.ts": USER_BROWSER,
      "tsconfig.node16.json": JSON.stringify(TSCONFIG_NODE16),
      "tsconfig.bundler.json": JSON.stringify(TSCONFIG_BUNDLER),
    }),
  ]);
  ({ packed, project } = installed);
  // Emits out/user.mjs and out/user.cjs, which the tests below run.
  node16 = started(typecheck(project, "tsconfig.node16.json"));
  bundler = started(typecheck(project, "tsconfig.bundler.json"));
}, 300_000);

/** The version of `@types/node` the repository uses, so that it comes from the npm cache. */
afterAll(async () => {
  await server?.close();
  await installed?.remove();
});

describe("the tarball", () => {
  it("holds the builds, one declaration file for import and one for require, and the README", () => {
    expect(packed.files).toEqual(TARBALL_FILES);
  });

  it("bundles the wire module: a dev dependency, named by no build and no declaration", () => {
    const { manifest } = packed;
    expect(manifest.name).toBe("wscomsrv-client");
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(["ws"]);
    expect(manifest.devDependencies).toHaveProperty("wscomsrv-protocol");
    const dist = join(project, "node_modules/wscomsrv-client/dist");
    for (const file of ["browser.js", "node.js", "node.cjs", "index.d.ts", "index.d.cts"]) {
      expect(readFileSync(join(dist, file), "utf8"), file).not.toMatch(/["']wscomsrv-protocol["']/);
    }
    expect(existsSync(join(project, "node_modules/wscomsrv-protocol"))).toBe(false);
  });

  it("gives each exports condition its own types, and every path exists", () => {
    const root = join(project, "node_modules/wscomsrv-client");
    const paths: string[] = [];
    const walk = (value: unknown): void => {
      if (typeof value === "string") paths.push(value);
      else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
    };
    walk(packed.manifest.exports);
    for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
    expect(packed.manifest.exports["."]).toMatchObject({
      node: {
        import: { types: "./dist/index.d.ts", default: "./dist/node.js" },
        require: { types: "./dist/index.d.cts", default: "./dist/node.cjs" },
      },
    });
  });
});

describe("in a user's project", () => {
  it("type-checks under node16 as ESM and as CommonJS, each against its own declarations", async () => {
    const files = await node16;
    const own = files.filter((file) => file.includes("/node_modules/wscomsrv-client/"));
    expect(own.map((file) => file.replace(/^.*\/node_modules\//, "")).sort()).toEqual([
      "wscomsrv-client/dist/index.d.cts",
      "wscomsrv-client/dist/index.d.ts",
    ]);
  });

  it('type-checks a browser module under moduleResolution "bundler" with the DOM only', async () => {
    const files = await bundler;
    const own = files.filter((file) => file.includes("/node_modules/wscomsrv-client/"));
    expect(own.map((file) => file.replace(/^.*\/node_modules\//, ""))).toEqual([
      "wscomsrv-client/dist/index.d.ts",
    ]);
  });

  it("resolves to the Node builds in Node and to the browser build under the browser condition", async () => {
    const resolve = 'console.log(import.meta.resolve("wscomsrv-client"))';
    const node = async (args: string[]) => (await run(process.execPath, args, project)).trim();
    expect(await node(["--input-type=module", "-e", resolve])).toMatch(
      /node_modules\/wscomsrv-client\/dist\/node\.js$/,
    );
    expect(await node(["-e", 'console.log(require.resolve("wscomsrv-client"))'])).toMatch(
      /node_modules\/wscomsrv-client\/dist\/node\.cjs$/,
    );
    expect(await node(["--conditions=browser", "--input-type=module", "-e", resolve])).toMatch(
      /node_modules\/wscomsrv-client\/dist\/browser\.js$/,
    );
  });

  it("gives a browser bundler nothing from ws or Node", async () => {
    const result = await build({
      stdin: { contents: 'export * from "wscomsrv-client";', resolveDir: project },
      absWorkingDir: project,
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => !path.startsWith("<stdin>"))).toEqual([
      "node_modules/wscomsrv-client/dist/browser.js",
    ]);
    const outputs = Object.values(result.metafile.outputs);
    expect(outputs.flatMap((output) => output.imports)).toEqual([]);
  });

  it("runs as ESM and as CommonJS in Node 20 (no global WebSocket: ws) and Node 22", async () => {
    const version = (await run(NODE20, ["--version"], project)).trim();
    expect(version, `${NODE20} must be Node 20`).toMatch(/^v20\./);
    await node16;
    const runs = [NODE20, process.execPath].flatMap((node, index) =>
      ["mjs", "cjs"].map(async (flavour) => {
        const url = `${server.wsAddress}/${freshRoom()}`;
        const tag = `${flavour}${index}`;
        const out = await run(node, [join("out", `user.${flavour}`), url, tag], project, 20_000);
        return { node, out: JSON.parse(out) as unknown, tag };
      }),
    );
    for (const { node, out, tag } of await Promise.all(runs)) {
      expect(out).toEqual({
        node: node === NODE20 ? version : process.version,
        sender: `Pong${tag}`,
        n: 42,
        state: "identified",
      });
    }
  });

  it("says in Node 20 under the browser condition what to do instead of failing later", async () => {
    const url = `${server.wsAddress}/${freshRoom()}`;
    const failure = await execFileAsync(
      NODE20,
      [
        "--conditions=browser",
        "--input-type=module",
        "-e",
        `import { WebSocketClient } from "wscomsrv-client";
new WebSocketClient("Twenty", { host: ${JSON.stringify(url)} });`,
      ],
      { cwd: project, timeout: 20_000 },
    ).then(
      () => "",
      (error: { stderr?: string }) => error.stderr ?? "",
    );
    expect(failure).toMatch(
      /TypeError: this runtime has no global WebSocket: pass options\.WebSocket/,
    );
  });
});

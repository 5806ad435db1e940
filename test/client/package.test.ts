/**
 * The built package as its users get it: `exports` conditions, the browser build's
 * dependencies, and the Node builds (ESM and CommonJS) against the relay.
 */

import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, startRelay } from "../support/relay.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = fileURLToPath(new URL("../../src/client/dist/", import.meta.url));

/** Runs a script with the running Node from the repository root, where the workspace links. */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 20_000 });
  return stdout.trim();
}

let server: SocketServer;
beforeAll(async () => {
  if (!existsSync(`${dist}node.js`)) throw new Error("run `npm run build` first");
  server = await startRelay();
});
afterAll(() => server.close());

it("resolves to the Node builds in Node and to the browser build under the browser condition", async () => {
  const resolve = 'console.log(import.meta.resolve("wscomsrv-client"))';
  expect(await node(["--input-type=module", "-e", resolve])).toMatch(
    /src\/client\/dist\/node\.js$/,
  );
  expect(await node(["-e", 'console.log(require.resolve("wscomsrv-client"))'])).toMatch(
    /src\/client\/dist\/node\.cjs$/,
  );
  expect(await node(["--conditions=browser", "--input-type=module", "-e", resolve])).toMatch(
    /src\/client\/dist\/browser\.js$/,
  );
  const manifest = JSON.parse(readFileSync(`${dist}../package.json`, "utf8"));
  expect(existsSync(`${dist}../${manifest.exports["."].types}`)).toBe(true);
});

it("gives a browser bundler nothing from ws or Node", async () => {
  const result = await build({
    stdin: { contents: 'export * from "wscomsrv-client";', resolveDir: root },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((path) => !path.startsWith("<stdin>"))).toEqual([
    "src/client/dist/browser.js",
  ]);
  const outputs = Object.values(result.metafile.outputs);
  expect(outputs.flatMap((output) => output.imports)).toEqual([]);
});

it("the ESM and CommonJS Node builds identify with the relay using ws", async () => {
  const url = `${server.wsAddress}/${freshRoom()}`;
  const script = (load: string, name: string) => `${load}
const wsc = new WebSocketClient(${JSON.stringify(name)}, { host: ${JSON.stringify(url)} });
wsc.addOnIdentified("done", (info) => { console.log(info.name, wsc.state); wsc.close(); });
wsc.addOnError("fail", (error) => { console.error(error); process.exit(1); });`;
  expect(
    await node([
      "--input-type=module",
      "-e",
      script('import { WebSocketClient } from "wscomsrv-client";', "Esm"),
    ]),
  ).toBe("Esm identified");
  expect(
    await node(["-e", script('const { WebSocketClient } = require("wscomsrv-client");', "Cjs")]),
  ).toBe("Cjs identified");
});

const NODE20 = "/usr/bin/node";
const hasNode20 =
  existsSync(NODE20) &&
  (await run(NODE20, ["--version"]).then(
    ({ stdout }) => stdout.startsWith("v20."),
    () => false,
  ));

it.skipIf(!hasNode20)("works on Node 20, which has no global WebSocket, through ws", async () => {
  const url = `${server.wsAddress}/${freshRoom()}`;
  const { stdout } = await run(
    NODE20,
    [
      "--input-type=module",
      "-e",
      `import { WebSocketClient } from "wscomsrv-client";
const wsc = new WebSocketClient("Twenty", { host: ${JSON.stringify(url)} });
wsc.addOnIdentified("done", () => { console.log(process.version, wsc.state); wsc.close(); });`,
    ],
    { cwd: root, timeout: 20_000 },
  );
  expect(stdout.trim()).toMatch(/^v20\.\d+\.\d+ identified$/);
  // The browser build there says what to do instead of failing later.
  const failure = await run(
    NODE20,
    [
      "--conditions=browser",
      "--input-type=module",
      "-e",
      `import { WebSocketClient } from "wscomsrv-client";
new WebSocketClient("Twenty", { host: ${JSON.stringify(url)} });`,
    ],
    { cwd: root, timeout: 20_000 },
  ).then(
    () => "",
    (error: { stderr?: string }) => error.stderr ?? "",
  );
  expect(failure).toMatch(
    /TypeError: this runtime has no global WebSocket: pass options\.WebSocket/,
  );
});

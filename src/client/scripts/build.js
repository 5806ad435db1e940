// Builds the package into dist/: the browser build (no Node built-ins, no `ws`), the Node
// builds (ESM and CommonJS, `ws` left as a dependency) and one bundled declaration file, as
// `index.d.ts` for `import` and `index.d.cts` for `require`. The wire module
// (`wscomsrv-protocol`, TypeScript source in ../protocol) is bundled into all of them.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateDtsBundle } from "dts-bundle-generator";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: "warning",
  absWorkingDir: root,
  alias: { "wscomsrv-protocol": "../protocol/index.ts" },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ["index.ts"],
    outfile: "dist/browser.js",
    platform: "browser",
    format: "esm",
    target: "es2022",
  }),
  build({
    ...common,
    entryPoints: ["node.ts"],
    outfile: "dist/node.js",
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["ws"],
  }),
  build({
    ...common,
    entryPoints: ["node.ts"],
    outfile: "dist/node.cjs",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["ws"],
  }),
]);

// The Node builds export the same names as index.ts (node.ts only gives `WebSocketClient` a
// default `WebSocket`), so one declaration file describes every build. tsconfig.build.json
// maps `wscomsrv-protocol` to its source, so that its types are inlined, not imported.
const [declarations] = generateDtsBundle(
  [{ filePath: join(root, "index.ts"), output: { exportReferencedTypes: false } }],
  { preferredConfigPath: join(root, "tsconfig.build.json") },
);
if (declarations === undefined) throw new Error("dts-bundle-generator returned no bundle");
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, "index.d.ts"), declarations);
writeFileSync(join(dist, "index.d.cts"), declarations);

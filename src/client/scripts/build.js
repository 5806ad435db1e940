// Builds the package into dist/: the browser build (no Node built-ins, no `ws`), the Node
// builds (ESM and CommonJS, `ws` left as a dependency) and the type declarations.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: "warning",
  absWorkingDir: root,
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

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});

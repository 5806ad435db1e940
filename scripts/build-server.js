// Bundles the Node side of the relay into dist/server: the API (index.js) and the CLI
// (cli.js, the `wscomsrv` bin, with a shebang). Declarations come from `npm run build:types`.
import { chmod } from "node:fs/promises";
import { build } from "esbuild";

const common = {
  outdir: "dist/server",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // npm dependencies stay external; the wire module (a workspace package of TypeScript source)
  // is bundled in.
  packages: "external",
  alias: { "wscomsrv-protocol": "./src/protocol/index.ts" },
  sourcemap: true,
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["src/server/index.ts"] });
await build({
  ...common,
  entryPoints: ["src/server/cli.ts"],
  banner: { js: "#!/usr/bin/env node" },
});
await chmod("dist/server/cli.js", 0o755);

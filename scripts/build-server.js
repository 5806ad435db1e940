// Bundles the Node side of the relay: the API into dist/server (index.js) and the CLI into
// dist/cli (main.js, the `wscomsrv` bin, with a shebang). The CLI imports the API as the
// built dist/server/index.js, not a copy of it. Declarations come from `npm run build:server-types`.
import { chmod } from "node:fs/promises";
import { build } from "esbuild";

const common = {
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

await build({ ...common, entryPoints: ["src/server/index.ts"], outdir: "dist/server" });
await build({
  ...common,
  entryPoints: ["src/cli/main.ts"],
  outdir: "dist/cli",
  // The same relative path from dist/cli/main.js reaches the built API.
  external: ["../server/index.js"],
  banner: { js: "#!/usr/bin/env node" },
});
await chmod("dist/cli/main.js", 0o755);

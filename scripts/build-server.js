// Bundles the Node side of the relay (the embedded server and its CLI) into dist/server.
import { build } from "esbuild";

await build({
  entryPoints: ["src/server/index.ts"],
  outdir: "dist/server",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

// Bundles the bench into dist/bench: the harness and the server processes it starts, for
// Node, and the floor's Worker, for workerd. The client SDK (src/client) and the embedded
// server (src/server) are bundled from source, so a run always measures the code in the
// working tree; npm packages stay external. The wire module (a workspace package of
// TypeScript source) is bundled in.
import { build } from "esbuild";

const alias = { "wscomsrv-protocol": "./src/protocol/index.ts" };

await build({
  entryPoints: ["bench/harness.ts", "bench/relay-process.ts", "bench/baseline-relay.ts"],
  outdir: "dist/bench",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  alias,
  sourcemap: true,
  logLevel: "warning",
});

await build({
  entryPoints: ["bench/floor-worker.ts"],
  outdir: "dist/bench",
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2023",
  alias,
  logLevel: "warning",
});

// Bundles the bench into dist/bench: the harness and the two server processes it starts.
// The client SDK (src/client) and the embedded server (src/server) are bundled from source,
// so a run always measures the code in the working tree; npm packages stay external.
import { build } from "esbuild";

await build({
  entryPoints: ["bench/harness.ts", "bench/relay-process.ts", "bench/baseline-relay.ts"],
  outdir: "dist/bench",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  // npm dependencies stay external; the wire module (a workspace package of TypeScript source)
  // is bundled in.
  packages: "external",
  alias: { "wscomsrv-protocol": "./src/protocol/index.ts" },
  sourcemap: true,
  logLevel: "warning",
});

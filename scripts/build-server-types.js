// Bundles the declarations of the root package's API (src/server/index.ts) into
// dist/server/index.d.ts: one file, with the types of the wire module, the tokens and the
// configuration inlined, so that it imports no package. tsconfig.server.json
// maps `wscomsrv-protocol` to its source for that.
import { mkdirSync, writeFileSync } from "node:fs";
import { generateDtsBundle } from "dts-bundle-generator";

const [declarations] = generateDtsBundle(
  [{ filePath: "src/server/index.ts", output: { exportReferencedTypes: false } }],
  { preferredConfigPath: "tsconfig.server.json" },
);
if (declarations === undefined) throw new Error("dts-bundle-generator returned no bundle");
mkdirSync("dist/server", { recursive: true });
writeFileSync("dist/server/index.d.ts", declarations);

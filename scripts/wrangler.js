// Runs the project's wrangler with the arguments given, without its banner, its update check
// (a lookup on the npm registry for a newer wrangler) and its telemetry: the builds and checks
// that `npm test` and `npm run build` run print only what wrangler reports about the work.
// `npx wrangler …` still shows all of it.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync(
  process.execPath,
  [join(root, "node_modules", "wrangler", "bin", "wrangler.js"), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" },
  },
);
if (result.error !== undefined) throw result.error;
process.exit(result.status ?? 1);

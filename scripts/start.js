// `npm start`: the relay on this machine, its address first. Builds the Worker bundle and the
// server and CLI first, quietly (their output is shown only when a build fails), and only when
// a source is newer than what was built: with nothing changed, the CLI starts at once, so that
// a restart can listen again within the second after which the seed's clients retry.
// Then runs the CLI in this process (`wscomsrv serve` with the arguments given).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** What the builds read: the sources (not their own `dist` outputs) and the build's settings. */
const INPUTS = [
  "src",
  "wrangler.toml",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "scripts/build-console.js",
  "scripts/build-client-file.js",
  "scripts/build-server.js",
];

/** What they write, the files `wscomsrv serve` runs. */
const OUTPUTS = ["dist/worker/index.js", "dist/server/index.js", "dist/cli/main.js"];

/** The builds, as `npm run` names them in package.json. */
const BUILDS = ["build:worker", "build:server"];

/** The latest modification time (ms) of a file, or of any file below a directory. */
function latest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && (entry.name === "dist" || entry.name === "node_modules")) continue;
    newest = Math.max(newest, latest(join(path, entry.name)));
  }
  return newest;
}

/** True when every output exists and is newer than every input. */
function upToDate() {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const output of OUTPUTS) {
    try {
      oldestOutput = Math.min(oldestOutput, statSync(join(root, output)).mtimeMs);
    } catch {
      return false;
    }
  }
  return INPUTS.every((input) => latest(join(root, input)) < oldestOutput);
}

/** Runs `npm run <script>` quietly; on failure prints its output and exits with 1. */
function build(script) {
  // npm sets npm_execpath for the scripts it runs; run directly, npm is on the PATH.
  const npm = process.env.npm_execpath;
  const [command, args] = npm === undefined ? ["npm", []] : [process.execPath, [npm]];
  const result = spawnSync(command, [...args, "run", "--silent", script], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    shell: npm === undefined && process.platform === "win32",
    // wrangler's report of the bundle; errors and warnings still show. Its banner and its
    // telemetry are off already: `build:worker` runs it through scripts/wrangler.js.
    env: { ...process.env, WRANGLER_LOG: "warn" },
  });
  if (result.status === 0) return;
  process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  process.stderr.write(
    `wscomsrv: the build failed (npm run ${script}${result.error === undefined ? "" : `: ${result.error.message}`}); its output is above\n`,
  );
  process.exit(1);
}

if (!upToDate()) for (const script of BUILDS) build(script);
await import(pathToFileURL(join(root, "dist/cli/main.js")).href);

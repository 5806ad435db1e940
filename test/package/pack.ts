/**
 * A package as its users get it: packed from a clean tree, as a fresh clone would pack it,
 * and installed into an empty project.
 *
 * The clean tree is a copy of the files git tracks (so no `dist` from an earlier build), with
 * the repository's `node_modules` linked in so that the build tools resolve; `npm pack` there
 * runs the package's `prepack` build. The tarball then goes into an empty project with
 * `npm install`, from the npm cache that the repository's own install filled.
 */

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The system's Node 20, on which the client package must run. */
export const NODE20 = "/usr/bin/node";

/** The repository's TypeScript compiler, run on a user's project. */
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

/**
 * The environment for a child process: Node 22 (the running Node) first on the `PATH`, so
 * that `npm`, `npx` and `#!/usr/bin/env node` scripts use it, and none of the `npm_*`
 * variables of an `npm run` that started the tests (they would point the child's npm at the
 * repository), but the npm cache's location.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Set to undefined rather than deleted, so that a merge over process.env drops them too.
  for (const key of Object.keys(env)) {
    if (key.toLowerCase().startsWith("npm_") && key.toLowerCase() !== "npm_config_cache") {
      env[key] = undefined;
    }
  }
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter);
  return env;
}

/** Runs `command` in `cwd` and resolves with its stdout; rejects with its output on failure. */
export async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeout = 120_000,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: childEnv(),
      timeout,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}: ${String(error)}\n${stdout ?? ""}\n${stderr ?? ""}`,
    );
  }
}

/** A temporary folder, removed by {@link removeTemp}. */
export function makeTemp(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `wscomsrv-${prefix}-`));
}

/** Removes a folder made by {@link makeTemp}. */
export function removeTemp(path: string | undefined): Promise<void> {
  return path === undefined ? Promise.resolve() : rm(path, { recursive: true, force: true });
}

/**
 * Copies the files git tracks into a new temporary folder and links the repository's
 * `node_modules` into it, entry by entry: the workspace links (relative, into `src/`) are
 * made again so that they point into the copy.
 */
export async function cleanTree(): Promise<string> {
  const tree = await makeTemp("tree");
  const listed = await run("git", ["ls-files", "-z"], ROOT);
  const files = listed.split("\0").filter((path) => path !== "");
  await Promise.all(
    files.map(async (path) => {
      const from = join(ROOT, path);
      const stat = await lstat(from).catch(() => undefined);
      if (stat === undefined || !stat.isFile()) return; // deleted in the working tree
      await mkdir(dirname(join(tree, path)), { recursive: true });
      await copyFile(from, join(tree, path));
    }),
  );
  const modules = join(ROOT, "node_modules");
  await mkdir(join(tree, "node_modules"));
  for (const entry of await readdir(modules)) {
    const from = join(modules, entry);
    const stat = await lstat(from);
    // A relative link (a workspace package) resolves inside the copy, like the original.
    const target = stat.isSymbolicLink() ? await readlink(from) : from;
    await symlink(target, join(tree, "node_modules", entry));
  }
  return tree;
}

/** A packed package: the tarball, the paths in it and its manifest. */
export interface Packed {
  tarball: string;
  files: string[];
  manifest: Manifest;
}

/** The fields of a package.json that the tests read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  exports: Record<string, unknown>;
  types?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Runs `npm pack` (and so `prepack`) in `folder` and reads what the tarball holds. */
export async function pack(folder: string, destination: string): Promise<Packed> {
  await run("npm", ["pack", "--silent", "--pack-destination", destination], folder, 300_000);
  const tarballs = (await readdir(destination)).filter((name) => name.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`expected one tarball, got ${tarballs.join(", ")}`);
  const tarball = join(destination, tarballs[0] as string);
  const listing = await run("tar", ["-tzf", tarball], destination);
  const files = listing
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""))
    .sort();
  const manifest = JSON.parse(
    await run("tar", ["-xzOf", tarball, "package/package.json"], destination),
  ) as Manifest;
  return { tarball, files, manifest };
}

/**
 * Makes an empty project in a new temporary folder and installs `specs` (tarballs and
 * package names) into it from the npm cache.
 */
export async function installInto(specs: readonly string[]): Promise<string> {
  const project = await makeTemp("user");
  await writeFile(
    join(project, "package.json"),
    `${JSON.stringify({ name: "package-user", version: "1.0.0", private: true }, null, 2)}\n`,
  );
  await run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--silent", ...specs],
    project,
    300_000,
  );
  return project;
}

/**
 * Runs the repository's `tsc` on `config` in `project` and resolves with the files the
 * program used (`--listFiles`); rejects with the diagnostics.
 */
export async function typecheck(project: string, config: string): Promise<string[]> {
  const stdout = await run(process.execPath, [TSC, "-p", config, "--listFiles"], project);
  return stdout.split("\n").filter((line) => line !== "");
}

/** Writes `files` (name to text) into `folder`. */
export async function writeFiles(folder: string, files: Record<string, string>): Promise<void> {
  await Promise.all(
    Object.entries(files).map(([name, text]) => writeFile(join(folder, name), text)),
  );
}

/** The bare module names (packages, not `node:` built-ins) that a built ES module imports. */
export function bareImports(source: string): string[] {
  // Examples in comments are no imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const names = new Set<string>();
  for (const match of code.matchAll(/(?:^|[;\s])(?:import|export)\s[^;]*?from\s*"([^"]+)"/g)) {
    names.add(match[1] as string);
  }
  for (const match of code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) names.add(match[1] as string);
  return [...names].filter((name) => !name.startsWith(".") && !name.startsWith("node:")).sort();
}

/** The version of a package the repository installed, so that a user's install finds it in the cache. */
export function installedVersion(name: string): string {
  const manifest = readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/** A package packed from a clean tree and installed, with Node's types, into a user's project. */
export interface PackedProject {
  /** What the tarball holds. */
  packed: Packed;
  /** The user's project, with the package installed and `files` written. */
  project: string;
  /** Removes the clean tree, the tarball and the project. */
  remove(): Promise<void>;
}

/**
 * Packs the package in `folder` (a path inside the repository, `""` for the root) from a clean
 * tree, installs the tarball and `@types/node` into an empty project, and writes `files` there.
 */
export async function packedProject(
  folder: string,
  files: Record<string, string>,
): Promise<PackedProject> {
  const made: string[] = [];
  const remove = async () => {
    await Promise.all(made.map((path) => removeTemp(path)));
  };
  try {
    const [tree, packs] = await Promise.all([cleanTree(), makeTemp("packs")]);
    made.push(tree, packs);
    const packed = await pack(join(tree, folder), packs);
    const project = await installInto([
      packed.tarball,
      `@types/node@${installedVersion("@types/node")}`,
    ]);
    made.push(project);
    await writeFiles(project, files);
    return { packed, project, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

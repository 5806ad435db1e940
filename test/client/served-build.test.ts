/**
 * The client's browser build that the relay serves at /_client.js: deterministic (the same
 * bytes from another directory and from sources with CRLF line endings), and the integrity
 * docs/client.md carries is the built file's.
 */

import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildClientFile,
  type ClientFile,
  docsIntegrities,
} from "../../scripts/build-client-file.js";
import { start } from "../support/process.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A build by its hashes: a difference shows as two short lines, not two 400 kB texts. */
function hashes({ integrity, etag, mapEtag }: ClientFile): Partial<ClientFile> {
  return { integrity, etag, mapEtag };
}

/** A copy of what the build reads, elsewhere, with every TypeScript source in CRLF. */
function crlfCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "wscomsrv-client-file-"));
  for (const path of [
    "scripts",
    "src/client",
    "src/protocol",
    "tsconfig.base.json",
    "package.json",
  ]) {
    cpSync(join(ROOT, path), join(dir, path), {
      recursive: true,
      filter: (source) => !/[\\/](dist|node_modules)$/.test(source),
    });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  for (const folder of ["src/client", "src/protocol"]) {
    for (const name of readdirSync(join(dir, folder)).filter((file) => file.endsWith(".ts"))) {
      const path = join(dir, folder, name);
      writeFileSync(path, readFileSync(path, "utf8").replace(/\r?\n/g, "\r\n"));
    }
  }
  return dir;
}

describe("the served client build", () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  });

  it("is the same, byte for byte, built twice, elsewhere and from CRLF sources", async () => {
    const first = await buildClientFile();
    expect(hashes(await buildClientFile())).toEqual(hashes(first));
    expect(first.code.includes(ROOT) || first.map.includes(ROOT)).toBe(false);

    const dir = crlfCopy();
    copies.push(dir);
    const build = start([join(dir, "scripts", "build-client-file.js")]);
    expect(await build.exited, build.output()).toBe(0);
    expect(build.output()).toContain(first.integrity);
    const module = pathToFileURL(join(dir, "src", "console", "dist", "client-file.js"));
    const written = ((await import(module.href)) as { default: ClientFile }).default;
    expect(hashes(written)).toEqual(hashes(first));
  }, 60_000);

  it("has its integrity in docs/client.md", async () => {
    const { integrity } = await buildClientFile();
    expect(
      docsIntegrities(),
      `docs/client.md must carry the integrity of the built /_client.js, ${integrity}: run \`node scripts/build-client-file.js --write-docs\``,
    ).toEqual([integrity]);
  });
});

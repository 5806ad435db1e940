/**
 * The root package as its users get it: `import { mintToken } from "wscomsrv-edge"` in Node,
 * and in TypeScript against the emitted declarations.
 */

import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

/** A user's TypeScript file. */
const USER_TS = `import { mintToken, verifyToken, type TokenClaims, type TokenKey } from "wscomsrv-edge";

const key: TokenKey = { id: "k1", secret: "a-secret-of-at-least-32-bytes-0123456789" };
const token: string = await mintToken({ room: "lab", name: "Scope1", ttlSeconds: 60 }, key);
const check = await verifyToken(token, "lab", new Map([[key.id, key.secret]]));
const claims: TokenClaims | undefined = check.ok ? check.claims : undefined;
export { claims };
`;

/** The same in plain JavaScript, printing what it got. */
const USER_JS = `import { mintToken, verifyToken } from "wscomsrv-edge";

const key = { id: "k1", secret: "a-secret-of-at-least-32-bytes-0123456789" };
const token = await mintToken({ room: "lab", name: "Scope1", ttlSeconds: 60 }, key);
const check = await verifyToken(token, "lab", new Map([[key.id, key.secret]]));
console.log(JSON.stringify({ version: token.split(".")[0], claims: check.claims }));
`;

it("exports mintToken and verifyToken from dist/server to Node", async () => {
  // Run from the repository root, where the package resolves its own name.
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", USER_JS], {
    cwd: root,
    timeout: 20_000,
  });
  expect(JSON.parse(stdout)).toMatchObject({
    version: "v1",
    claims: { room: "lab", name: "Scope1" },
  });
  const { stdout: resolved } = await run(
    process.execPath,
    ["--input-type=module", "-e", 'console.log(import.meta.resolve("wscomsrv-edge"))'],
    { cwd: root },
  );
  expect(resolved.trim()).toMatch(/\/dist\/server\/index\.js$/);
});

it("types mintToken, verifyToken, TokenClaims and TokenKey in dist/server/index.d.ts", () => {
  // A file of the package's users, checked in memory with Node's module resolution.
  const file = join(root, "package-user.ts");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    types: ["node"],
    lib: ["lib.es2023.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, USER_TS, version)
      : getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  expect(problems).toEqual([]);
  const resolved = program.getSourceFiles().map((source) => source.fileName);
  expect(resolved).toContain(join(root, "dist/server/index.d.ts"));
  expect(resolved).toContain(join(root, "dist/auth/token.d.ts"));
});

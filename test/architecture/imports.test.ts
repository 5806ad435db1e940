/**
 * The import graph of `src/` and `bench/`, read from the source files: the floors of
 * docs/architecture.md, the arrows that must never be, and no import circles except the
 * type-only ones listed below on purpose.
 */

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The parts, by folder. The wire module's package name maps to its folder. */
const PARTS = [
  "src/protocol",
  "src/auth",
  "src/config",
  "src/worker",
  "src/client",
  "src/console",
  "src/server",
  "src/cli",
  "bench",
] as const;
type Part = (typeof PARTS)[number];

/** What each part may import, besides itself. `node:*` is Node's standard library. */
const ALLOWED: Record<Part, { parts: Part[]; packages: RegExp }> = {
  // The wire module knows no runtime: no Node, no Workers, no npm package.
  "src/protocol": { parts: [], packages: /^$/ },
  "src/auth": { parts: ["src/protocol"], packages: /^$/ },
  "src/config": { parts: ["src/protocol", "src/auth"], packages: /^$/ },
  // The Worker serves the console's built page and the SDK's built browser file (strings),
  // never their code (see ENTRIES).
  "src/worker": {
    parts: ["src/protocol", "src/auth", "src/config", "src/console"],
    packages: /^cloudflare:workers$/,
  },
  // The SDK ships without Miniflare; `ws` only in its Node entry (checked below).
  "src/client": { parts: ["src/protocol"], packages: /^ws$/ },
  // The room console: a page script on the SDK's browser entry, with uPlot bundled in.
  "src/console": { parts: ["src/protocol", "src/client"], packages: /^uplot$/ },
  "src/server": {
    parts: ["src/protocol", "src/auth", "src/config"],
    packages: /^(node:.+|miniflare)$/,
  },
  "src/cli": {
    parts: ["src/protocol", "src/auth", "src/config", "src/server"],
    packages: /^node:.+$/,
  },
  bench: {
    parts: ["src/protocol", "src/client", "src/server"],
    packages: /^(node:.+|ws|miniflare|cloudflare:workers)$/,
  },
};

/**
 * Where a part may enter another that is not on its own floor: through the public entry only.
 * The CLI is built on the server's public API; the bench on the SDK's and the server's.
 */
const ENTRIES: Partial<Record<Part, string[]>> = {
  "src/server": ["src/server/index.ts"],
  "src/client": ["src/client/index.ts", "src/client/node.ts"],
  "src/console": ["src/console/dist/page.ts", "src/console/dist/client-file.ts"],
};

/**
 * Import circles made only of type-only imports, kept on purpose, each with its reason. They
 * cost nothing at run time (the imports are erased) and are listed so that a new one is seen.
 */
const TYPE_ONLY_CIRCLES: { files: string[]; why: string }[] = [
  {
    files: [
      "src/client/calls.ts",
      "src/client/client.ts",
      "src/client/clock.ts",
      "src/client/dispatch.ts",
      "src/client/emitter.ts",
      "src/client/events.ts",
      "src/client/handshake.ts",
      "src/client/inbox.ts",
      "src/client/roster.ts",
      "src/client/lifecycle.ts",
      "src/client/ready.ts",
      "src/client/sender.ts",
    ],
    why: "the types of a user's functions (events.ts) name the WebSocketClient that calls them (a command function gets `client`), and the client's parts use those types",
  },
];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "dist" && entry.name !== "node_modules") out.push(...sourceFiles(path));
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return (
      clause !== undefined &&
      ts.isNamedExports(clause) &&
      clause.elements.length > 0 &&
      clause.elements.every((element) => element.isTypeOnly)
    );
  }
  const clause = node.importClause;
  if (clause === undefined) return false;
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

/** The specifiers a file imports (static, re-exports and dynamic `import()`). */
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(join(root, file), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnly(node) });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) {
        found.push({ specifier: argument.literal.text, typeOnly: true });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository path a specifier names, or the package name when it is not a local file. */
function resolveSpecifier(file: string, specifier: string): { file: string } | { pkg: string } {
  if (specifier === "wscomsrv-protocol") return { file: "src/protocol/index.ts" };
  if (!specifier.startsWith(".")) return { pkg: specifier };
  const target = relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, ".ts");
  return { file: target };
}

function partOf(file: string): Part | undefined {
  return PARTS.find((part) => file === part || file.startsWith(`${part}/`));
}

const files = PARTS.flatMap((part) => {
  try {
    return sourceFiles(part);
  } catch {
    return [];
  }
});

const edges: Edge[] = [];
const packages: { from: string; pkg: string }[] = [];
for (const file of files) {
  for (const { specifier, typeOnly } of importsOf(file)) {
    const target = resolveSpecifier(file, specifier);
    if ("pkg" in target) packages.push({ from: file, pkg: target.pkg });
    else edges.push({ from: file, to: target.file, typeOnly });
  }
}

describe("the import graph", () => {
  it("reads every part", () => {
    for (const part of ["src/protocol", "src/worker", "src/client", "src/server", "bench"]) {
      expect(files.some((file) => file.startsWith(`${part}/`))).toBe(true);
    }
    expect(edges.length).toBeGreaterThan(100);
  });

  it("has every arrow between parts going down a floor, never up or sideways", () => {
    const wrong: string[] = [];
    for (const edge of edges) {
      const from = partOf(edge.from);
      const to = partOf(edge.to);
      if (from === undefined || from === to) continue;
      if (to === undefined || !ALLOWED[from].parts.includes(to)) {
        wrong.push(`${edge.from} -> ${edge.to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("enters the server and the SDK from another part through their public entries only", () => {
    const wrong: string[] = [];
    for (const edge of edges) {
      const from = partOf(edge.from);
      const to = partOf(edge.to);
      if (from === to || to === undefined) continue;
      const entries = ENTRIES[to];
      if (entries !== undefined && !entries.includes(edge.to)) {
        wrong.push(`${edge.from} -> ${edge.to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("imports only the npm packages and runtime modules each part may use", () => {
    const wrong = packages
      .filter(({ from, pkg }) => {
        const part = partOf(from);
        return part === undefined || !ALLOWED[part].packages.test(pkg);
      })
      .map(({ from, pkg }) => `${from} -> ${pkg}`);
    expect(wrong).toEqual([]);
  });

  it("keeps `ws` to the SDK's Node entry", () => {
    const users = packages.filter(
      ({ from, pkg }) => pkg === "ws" && from.startsWith("src/client/"),
    );
    expect(users.map(({ from }) => from)).toEqual(["src/client/node.ts"]);
  });

  it("has no import circles but the type-only ones kept on purpose", () => {
    const circles = findCircles(edges.filter((edge) => !edge.typeOnly));
    expect(circles).toEqual([]);
    const typeCircles = findCircles(edges).map((circle) => [...circle].sort());
    expect(typeCircles.sort()).toEqual(
      TYPE_ONLY_CIRCLES.map(({ files }) => [...files].sort()).sort(),
    );
  });
});

/** The strongly connected components of more than one file (Tarjan), each as a list of files. */
function findCircles(graph: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of graph) {
    const list = next.get(from) ?? [];
    list.push(to);
    next.set(from, list);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) connect(node);
  return circles;
}

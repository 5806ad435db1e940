import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import file from "../../src/console/dist/client-file.js";
import { matchesEtag } from "../../src/worker/client-file.js";

function get(
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Response> {
  return exports.default.fetch(`http://relay.test${path}`, { headers, method });
}

async function digest(
  algorithm: string,
  text: string,
  encoding: "hex" | "base64",
): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest(algorithm, new TextEncoder().encode(text)),
  );
  return encoding === "hex"
    ? [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("")
    : btoa(String.fromCharCode(...bytes));
}

describe("the client's browser build at /_client.js", () => {
  it("serves the minified build for any origin, with its integrity and a strong ETag", async () => {
    const response = await get("/_client.js", { origin: "https://elsewhere.example" });
    expect(response.status).toBe(200);
    const headers = Object.fromEntries(response.headers);
    expect(headers).toMatchObject({
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=300",
      "access-control-allow-origin": "*",
      "x-content-type-options": "nosniff",
    });
    const body = await response.text();
    expect(body).toBe(file.code);
    expect(headers.etag).toBe(`"${await digest("SHA-256", body, "hex")}"`);
    expect(headers["x-integrity"]).toBe(`sha384-${await digest("SHA-384", body, "base64")}`);
    expect(headers["access-control-expose-headers"]).toBe("x-integrity");
    // Minified ESM that exports the client, its map named at the end.
    expect(body).toMatch(
      /export\{[^}]*\bWebSocketClient\b[^}]*\};\n\/\/# sourceMappingURL=\/_client\.js\.map\n$/,
    );
    expect(body.split("\n").length).toBeLessThan(10);
    expect(body).not.toMatch(/^\s*\/\*\*/m);
  });

  it("answers If-None-Match with the current ETag with 304, and another with the file", async () => {
    const { etag } = file;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, "*"]) {
      const response = await get("/_client.js", { "if-none-match": ifNoneMatch });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.headers.get("etag")).toBe(etag);
      expect(response.headers.get("cache-control")).toBe("public, max-age=300");
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(await response.text()).toBe("");
    }
    const stale = await get("/_client.js", { "if-none-match": '"stale"' });
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(file.code);
  });

  it("serves a source map that parses and maps to the client's sources", async () => {
    const response = await get("/_client.js.map");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("etag")).toBe(file.mapEtag);
    const text = await response.text();
    expect(response.headers.get("etag")).toBe(`"${await digest("SHA-256", text, "hex")}"`);
    const map = JSON.parse(text) as {
      version: number;
      sources: string[];
      sourcesContent: string[];
      mappings: string;
    };
    expect(map.version).toBe(3);
    expect(map.sources).toContain("src/client/client.ts");
    expect(map.sources).toContain("src/protocol/decode.ts");
    expect(map.sources.every((source) => !source.startsWith("/") && !source.includes(":"))).toBe(
      true,
    );
    expect(map.sourcesContent).toHaveLength(map.sources.length);
    expect(map.mappings.length).toBeGreaterThan(0);
    expect((await get("/_client.js.map", { "if-none-match": file.mapEtag })).status).toBe(304);
  });

  it("answers HEAD without a body and refuses other methods with 405", async () => {
    const head = await get("/_client.js", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(file.etag);
    expect(await head.text()).toBe("");
    const post = await get("/_client.js", {}, "POST");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect(await post.text()).toContain("POST is not allowed here: use GET");
  });

  it("is not a room, and neither is a path beside it", async () => {
    // Room names start with a letter or digit: /_client.js could never name a room.
    const upgrade = await get("/_client.js", { upgrade: "websocket" });
    expect(upgrade.status).toBe(200);
    expect(upgrade.webSocket).toBeNull();
    for (const path of ["/_client.js/", "/_client", "/_client.mjs", "/_client.js.map.map"]) {
      const response = await get(path, { upgrade: "websocket" });
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("no such relay route");
    }
  });

  it("compares ETags as If-None-Match does", () => {
    expect(matchesEtag(null, '"a"')).toBe(false);
    expect(matchesEtag('"b"', '"a"')).toBe(false);
    expect(matchesEtag('"a"', '"a"')).toBe(true);
    expect(matchesEtag(' W/"a" ', '"a"')).toBe(true);
    expect(matchesEtag('"b","a"', '"a"')).toBe(true);
    expect(matchesEtag("*", '"a"')).toBe(true);
    expect(matchesEtag("a", '"a"')).toBe(false);
  });
});

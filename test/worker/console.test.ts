import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import file from "../../src/console/dist/client-file.js";

const HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> {
  return exports.default.fetch(url, { headers, method });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The text of the page's one inline block `<tag ...>…</tag>`. */
function block(html: string, tag: string): string {
  const match = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  if (match?.[1] === undefined) throw new Error(`no <${tag}> in the page`);
  return match[1];
}

describe("the room console", () => {
  it("answers a browser's GET of a room with the page, under a strict CSP", async () => {
    const response = await get("http://relay.test/lab", { accept: HTML });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<body data-room="lab" data-policy="open">');
    const csp = response.headers.get("content-security-policy") ?? "";
    const rules = new Map(
      csp.split(";").map((rule) => {
        const [name = "", ...values] = rule.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(rules.get("default-src")).toEqual(["'none'"]);
    // The inline script by hash, and the one file it imports by its exact URL.
    expect(rules.get("script-src")).toEqual([
      `'sha256-${await sha256(block(html, "script"))}'`,
      "http://relay.test/_client.js",
    ]);
    expect(rules.get("style-src")).toEqual([`'sha256-${await sha256(block(html, "style"))}'`]);
    expect(rules.get("connect-src")).toEqual(["ws://relay.test"]);
    expect(rules.get("require-trusted-types-for")).toEqual(["'script'"]);
    expect(csp).not.toContain("unsafe");
    // One inline script and one inline style; the script imports the client from /_client.js,
    // which the page preloads with the integrity of the file the relay serves.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(block(html, "script")).toContain('from"/_client.js"');
    expect(html.match(/<link[^>]*>/g)).toEqual([
      '<link rel="icon" href="data:,">',
      `<link rel="modulepreload" href="/_client.js" integrity="${file.integrity}">`,
    ]);
    // The console does not carry a second copy of the client.
    const clientOnly = "has no global WebSocket";
    expect(file.code).toContain(clientOnly);
    expect(html).not.toContain(clientOnly);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("lets the page's WebSocket go to wss: when the page came by https:", async () => {
    const response = await get("https://relay.example/", { accept: HTML });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain(
      "connect-src wss://relay.example;",
    );
    expect(response.headers.get("content-security-policy")).toContain("script-src 'sha256-");
    expect(response.headers.get("content-security-policy")).toContain(
      " https://relay.example/_client.js;",
    );
    expect(await response.text()).toContain('data-room="default"');
  });

  it("keeps the 426 for a request that is no upgrade and no browser's GET", async () => {
    for (const [headers, method] of [
      [{ accept: "application/json" }, "GET"],
      [{}, "GET"],
      [{ accept: HTML }, "POST"],
      [{ accept: HTML }, "HEAD"],
    ] as const) {
      const response = await get("http://relay.test/lab", headers, method);
      expect(response.status).toBe(426);
      expect(response.headers.get("content-security-policy")).toBeNull();
    }
  });

  it("refuses a bad room name before any page", async () => {
    const response = await get("http://relay.test/a%3Cb", { accept: HTML });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain("<");
  });
});

/**
 * The client's browser build served by the relay at /_client.js, in a real headless Chromium:
 * plain HTML pages on another origin (a tiny Node server on its own free port), with no
 * bundler, import it from the local relay, pinned by its integrity as docs/client.md shows
 * (a modulepreload, and an import map), and exchange a message by name. A page that pins
 * another hash does not get to run it.
 */

import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { chromiumForFile } from "../support/chromium.js";
import { freshRoom, startRelay } from "../support/relay.js";

const TIMEOUT = 10_000;

/** How a page pins the file: a modulepreload, or an import map for a bare specifier. */
type Pinning = "modulepreload" | "importmap";

/** The page's script: joins `room` as `name`, keeps what reaches it as `note`. */
function pageScript(specifier: string): string {
  return `
import { WebSocketClient } from ${JSON.stringify(specifier)};
const query = new URLSearchParams(location.search);
const wsc = new WebSocketClient(query.get("name"), { host: query.get("host") });
window.notes = [];
wsc.addMessageType("note", (data, { sender }) => window.notes.push({ sender, data }));
window.wsc = wsc;
await wsc.ready(${TIMEOUT});
document.body.dataset.ready = "yes";
`;
}

/** A plain HTML page that imports the relay's /_client.js, pinned by `integrity`. */
function html(relayHttp: string, pinning: Pinning, integrity: string): string {
  const url = `${relayHttp}/_client.js`;
  const head =
    pinning === "modulepreload"
      ? `<link rel="modulepreload" href="${url}" integrity="${integrity}">`
      : `<script type="importmap">${JSON.stringify({
          imports: { "wscomsrv-client": url },
          integrity: { [url]: integrity },
        })}</script>`;
  const specifier = pinning === "modulepreload" ? url : "wscomsrv-client";
  return `<!doctype html><meta charset="utf-8"><title>page</title>${head}<script type="module">${pageScript(specifier)}</script>`;
}

let relay: SocketServer;
let site: Server;
let siteAddress: string;
const browser = chromiumForFile();
/** The integrity the relay sends with the file, checked against the bytes it sent. */
let integrity: string;

beforeAll(async () => {
  relay = await startRelay();
  const relayHttp = relay.wsAddress.replace(/^ws/, "http");
  const served = await fetch(`${relayHttp}/_client.js`);
  const bytes = Buffer.from(await served.arrayBuffer());
  integrity = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
  expect(served.headers.get("x-integrity")).toBe(integrity);
  site = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://site.test");
    const pinning = url.pathname === "/map.html" ? "importmap" : "modulepreload";
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html(relayHttp, pinning, url.searchParams.get("integrity") ?? integrity));
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteAddress = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => site?.close(resolve));
  await relay?.close();
});

/** Opens `path` of the other origin as `name` in `room`, with the errors the page reports. */
async function open(
  path: string,
  room: string,
  name: string,
  pinned?: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  const query = new URLSearchParams({ name, host: `${relay.wsAddress}/${room}` });
  if (pinned !== undefined) query.set("integrity", pinned);
  await page.goto(`${siteAddress}${path}?${query}`);
  return { page, errors };
}

const ready = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.ready === "yes", undefined, {
    timeout: TIMEOUT,
  });

describe("the relay's /_client.js in a page without a bundler", () => {
  it("lets two pages on another origin exchange a message by name", async () => {
    const room = freshRoom();
    const alice = await open("/preload.html", room, "Alice");
    const bob = await open("/map.html", room, "Bob");
    await Promise.all([ready(alice.page), ready(bob.page)]);

    await alice.page.evaluate(() => window.wsc?.send("Bob", "note", "hello Bob"));
    const got = await bob.page.waitForFunction(() => window.notes?.[0], undefined, {
      timeout: TIMEOUT,
    });
    expect(await got.jsonValue()).toEqual({ sender: "Alice", data: "hello Bob" });
    await bob.page.evaluate(() => window.wsc?.send("Alice", "note", { back: true }));
    const answer = await alice.page.waitForFunction(() => window.notes?.[0], undefined, {
      timeout: TIMEOUT,
    });
    expect(await answer.jsonValue()).toEqual({ sender: "Bob", data: { back: true } });

    expect([...alice.errors, ...bob.errors]).toEqual([]);
    await Promise.all([alice.page.close(), bob.page.close()]);
  });

  it("refuses to run it under another integrity", async () => {
    const wrong = `sha384-${"A".repeat(64)}`;
    for (const path of ["/preload.html", "/map.html"]) {
      const { page, errors } = await open(path, freshRoom(), "Mallory", wrong);
      await expect.poll(() => errors.join("\n"), { timeout: TIMEOUT }).toMatch(/integrity|digest/i);
      expect(await page.evaluate(() => window.wsc)).toBeUndefined();
      await page.close();
    }
  });
});

declare global {
  interface Window {
    wsc?: { send(target: string, type: string, data: unknown): unknown };
    notes?: { sender: string; data: unknown }[];
  }
}

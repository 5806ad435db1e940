/**
 * The browser build in a real headless Chromium: a page loads it, identifies with the relay
 * and does a command round trip with a Node client.
 */

import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { commandMessage } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { chromiumForFile } from "../support/chromium.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { client, SDK_DEFAULT_CAPABILITIES } from "../support/sdk-client.js";

const BUNDLE = fileURLToPath(new URL("../../src/client/dist/browser.js", import.meta.url));

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>wscomsrv-client</title>
<script type="module">
  import { WebSocketClient, commandMessage } from "/client.js";
  const params = new URLSearchParams(location.search);
  const events = [];
  window.events = events;
  const wsc = new WebSocketClient("Browser", {
    host: params.get("relay"),
    reconnectBaseDelay: 20,
    reconnectMaxDelay: 200,
  });
  wsc.addOnIdentified("ready", (info) => events.push({ kind: "identified", info, time: wsc.time }));
  wsc.addOnError("errors", (error) => events.push({ kind: "error", code: error.code, message: error.message }));
  wsc.addCmdFunction("echo", ({ text }, { sender, client }) => {
    events.push({ kind: "echo", text, sender });
    client.writeToSocket(commandMessage("echoed", client.name, sender, { text: text + " from the browser" }));
  });
  window.wsc = wsc;
</script>`;

/** Serves the page and the browser build on a free port of 127.0.0.1. */
async function servePage(): Promise<{ server: Server; url: string; requests: string[] }> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    requests.push(path);
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    } else if (path === "/client.js") {
      response
        .writeHead(200, { "content-type": "text/javascript; charset=utf-8" })
        .end(readFileSync(BUNDLE));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

interface PageEvent {
  kind: string;
  [key: string]: unknown;
}

function pageEvents(page: Page): Promise<PageEvent[]> {
  return page.evaluate(() => (window as unknown as { events: PageEvent[] }).events);
}

let relay: SocketServer;
let http: Awaited<ReturnType<typeof servePage>>;
const browser = chromiumForFile();

beforeAll(async () => {
  relay = await startRelay();
  http = await servePage();
});

afterAll(async () => {
  await new Promise<void>((resolve) => (http ? http.server.close(() => resolve()) : resolve()));
  await relay?.close();
});

it("identifies from a page and does a command round trip with a Node client", async () => {
  const room = freshRoom();
  const page = await (await browser()).newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${http.url}/?relay=${encodeURIComponent(`${relay.wsAddress}/${room}`)}`);
  await page.waitForFunction(
    () =>
      (window as unknown as { events: PageEvent[] }).events?.some((e) => e.kind === "identified"),
    undefined,
    { timeout: 10_000 },
  );

  const node = client(relay, room, "Node");
  const answers: unknown[] = [];
  node.client.addCmdFunction("echoed", ({ text }, { sender }) => {
    answers.push({ text, sender });
    node.events.wake();
  });
  await node.events.identifiedTimes(1);
  expect(
    node.client.writeToSocket(commandMessage("echo", "Node", "Browser", { text: "hello" })),
  ).toBe("sent");
  await node.events.until(() => answers.length === 1, "the browser's answer", 10_000);
  expect(answers).toEqual([{ text: "hello from the browser", sender: "Browser" }]);
  // Three in one tick: one batch each way, taken apart in order on both sides.
  for (const text of ["a", "b", "c"]) {
    node.client.writeToSocket(commandMessage("echo", "Node", "Browser", { text }));
  }
  await node.events.until(() => answers.length === 4, "three more answers", 10_000);
  expect(answers.slice(1)).toEqual(
    ["a", "b", "c"].map((text) => ({ text: `${text} from the browser`, sender: "Browser" })),
  );
  // Everything the page sent was acked.
  await page.waitForFunction(
    () => (window as unknown as { wsc: { unconfirmedFrames: number } }).wsc.unconfirmedFrames === 0,
    undefined,
    { timeout: 10_000 },
  );

  const events = await pageEvents(page);
  expect(events.filter((e) => e.kind === "error")).toEqual([]);
  expect(events.find((e) => e.kind === "echo")).toEqual({
    kind: "echo",
    text: "hello",
    sender: "Node",
  });
  const identified = events.find((e) => e.kind === "identified");
  expect(identified?.info).toMatchObject({
    name: "Browser",
    capabilities: [...SDK_DEFAULT_CAPABILITIES],
  });
  expect(identified?.time).toBe(node.client.time);
  // The page needed nothing but the one bundle.
  expect(http.requests.filter((path) => path !== "/favicon.ico")).toEqual(["/", "/client.js"]);
  expect(pageErrors).toEqual([]);

  await page.evaluate(() => (window as unknown as { wsc: { close(): void } }).wsc.close());
  node.client.close();
  await page.close();
});

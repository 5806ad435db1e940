/**
 * The room console: the page a browser gets for `GET /<room>` (see docs/console.md). It is
 * built into the Worker bundle (scripts/build-console.js), so it needs no assets binding and
 * no step of its own. The page is served with a strict Content-Security-Policy: its one inline
 * script and one style by hash, the client's browser build at this relay's `/_client.js` (which
 * the page preloads with its integrity), WebSockets to this relay only, nothing else.
 *
 * @module
 */

import type { RoomPolicy } from "../config/index.js";
import page from "../console/dist/page.js";
import { CLIENT_FILE_PATH } from "./client-file.js";

/**
 * True for a request that wants the console rather than a WebSocket: a `GET` whose `Accept`
 * names `text/html`, as a browser's navigation does.
 *
 * @example
 * ```ts
 * wantsConsole(new Request("https://relay.example/lab", { headers: { accept: "text/html" } })); // true
 * ```
 */
export function wantsConsole(request: Request): boolean {
  return request.method === "GET" && (request.headers.get("accept") ?? "").includes("text/html");
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ATTRIBUTE_ESCAPES[char] ?? char);
}

/**
 * The console page for `room`, which has access `policy`, served at `url`: its WebSocket may
 * go to this relay's origin only (`ws:` or `wss:` as the page came by `http:` or `https:`), and
 * its one external script is this relay's `/_client.js`.
 *
 * @example
 * ```ts
 * consolePage(new URL("https://relay.example/lab"), "lab", "password");
 * ```
 */
export function consolePage(url: URL, room: string, policy: RoomPolicy): Response {
  const socketOrigin = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`;
  // The client file by its exact URL, not 'self' (any script of this origin) nor its hash
  // (a hash admits an external script only where CSP Level 3's integrity match is built in);
  // the page's modulepreload carries its integrity, so other bytes at that URL are refused.
  const clientUrl = `${url.protocol}//${url.host}${CLIENT_FILE_PATH}`;
  const csp = [
    "default-src 'none'",
    `script-src ${page.scriptHash} ${clientUrl}`,
    `style-src ${page.styleHash}`,
    `connect-src ${socketOrigin}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; ");
  const html = page.html
    .replaceAll("{{room}}", escapeHtml(room))
    .replaceAll("{{policy}}", escapeHtml(policy));
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": csp,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
    },
  });
}

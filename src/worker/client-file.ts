/**
 * The client's browser build, served by the Worker at `GET /_client.js` (and its source map
 * at `GET /_client.js.map`), so that a page without a bundler can `import` the client from
 * the relay it talks to, and the room console uses the same file. The file is built into the
 * Worker bundle (scripts/build-client-file.js): it changes with each deploy, so it is cached
 * for a short time and revalidated by its ETag. See docs/client.md, "Without a bundler".
 *
 * @module
 */

import file from "../console/dist/client-file.js";
import { text } from "./room-contract.js";

/** Where the client's browser build is served. */
export const CLIENT_FILE_PATH = "/_client.js";

/** Where its source map is served. */
export const CLIENT_MAP_PATH = "/_client.js.map";

/**
 * How long a browser or a cache may use the file before it asks again, in seconds: 300. A new
 * deploy is picked up within that time; asking again costs a `304` while it is unchanged.
 */
export const CLIENT_FILE_MAX_AGE_S = 300;

/** The response header that carries the file's `sha384-…` integrity. */
export const INTEGRITY_HEADER = "x-integrity";

/**
 * True when an `If-None-Match` header value names `etag` (or is `*`). The comparison is the
 * weak one that RFC 9110 prescribes for `If-None-Match`: a `W/` prefix is ignored.
 *
 * @example
 * ```ts
 * matchesEtag('W/"abc", "def"', '"def"'); // true
 * ```
 */
export function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

function served(
  request: Request,
  body: string,
  etag: string,
  headers: Record<string, string>,
): Response {
  const common = {
    etag,
    "cache-control": `public, max-age=${CLIENT_FILE_MAX_AGE_S}`,
    "access-control-allow-origin": "*",
    "x-content-type-options": "nosniff",
    ...headers,
  };
  if (request.method !== "GET" && request.method !== "HEAD") {
    return text(405, `${request.method} is not allowed here: use GET`, { allow: "GET, HEAD" });
  }
  if (matchesEtag(request.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  return new Response(request.method === "HEAD" ? null : body, { headers: common });
}

/**
 * The answer to a request for the client file or its map, or `undefined` when `url` names
 * neither. Both are public, to any origin (`access-control-allow-origin: *`), before any room
 * or origin rule: they carry no secret. `If-None-Match` with the current ETag gets `304`.
 *
 * @example
 * ```ts
 * const response = clientFileResponse(request, new URL(request.url));
 * if (response !== undefined) return response;
 * ```
 */
export function clientFileResponse(request: Request, url: URL): Response | undefined {
  if (url.pathname === CLIENT_FILE_PATH) {
    return served(request, file.code, file.etag, {
      "content-type": "text/javascript; charset=utf-8",
      [INTEGRITY_HEADER]: file.integrity,
      "access-control-expose-headers": INTEGRITY_HEADER,
    });
  }
  if (url.pathname === CLIENT_MAP_PATH) {
    return served(request, file.map, file.mapEtag, {
      "content-type": "application/json; charset=utf-8",
    });
  }
  return undefined;
}

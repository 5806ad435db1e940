/**
 * What the Worker and a Room agree on when the Worker hands a WebSocket upgrade over: the
 * two headers the Worker sets on the forwarded request (the room's name, and the name a
 * verified token grants), how the Room reads them back, and how the Room answers the upgrade
 * from the client's own offer (subprotocols, and `?deflate` in the URL), which the Worker
 * forwards unchanged. Either side refuses with a plain-text {@link text} response.
 *
 * The Worker (`http.ts`) and the Room (`room.ts`) both import this module, and neither
 * imports the other.
 *
 * @module
 */

import { DEFLATE_QUERY_PARAMETER, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "wscomsrv-protocol";

/** The header that tells a Room its own name. */
const ROOM_HEADER = "x-wscomsrv-room";

/** The header that tells a Room the name a verified token grants (URI-encoded). */
const NAME_HEADER = "x-wscomsrv-name";

/** What the Worker tells a Room about an upgrade it forwards. */
export interface ForwardedUpgrade {
  /** The room's name, taken from the URL; `undefined` on a request that did not come through the Worker. */
  room: string | undefined;
  /** The name a verified token grants, the only one the socket may take; `undefined`: no token. */
  boundName: string | undefined;
}

/**
 * The request the Worker hands to a Room: the client's upgrade (URL, subprotocols and all)
 * with the room's name and the token's name set, and any such header the client sent itself
 * replaced or removed, so that a client cannot claim a name.
 */
export function forwardUpgrade(request: Request, room: string, boundName?: string): Request {
  const headers = new Headers(request.headers);
  headers.set(ROOM_HEADER, room);
  if (boundName === undefined) headers.delete(NAME_HEADER);
  else headers.set(NAME_HEADER, encodeURIComponent(boundName));
  return new Request(request, { headers });
}

/** Reads what the Worker told a Room in {@link forwardUpgrade}. */
export function readUpgrade(request: Request): ForwardedUpgrade {
  const room = request.headers.get(ROOM_HEADER);
  const bound = request.headers.get(NAME_HEADER);
  return {
    room: room ?? undefined,
    boundName: bound === null ? undefined : decodeURIComponent(bound),
  };
}

/** A plain-text response: how the Worker and a Room refuse a request. */
export function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** The subprotocols a client offers, in its order. */
export function offeredSubprotocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  return header === null ? [] : header.split(",").map((protocol) => protocol.trim());
}

/**
 * The subprotocol to answer an upgrade with: `wscomsrv` when offered, otherwise the first one
 * offered that carries no token (browsers fail a connection whose offer is not answered, so a
 * browser that offers a token must offer `wscomsrv` too), otherwise none.
 */
function chosenSubprotocol(request: Request): string | undefined {
  const offered = offeredSubprotocols(request);
  if (offered.includes(SUBPROTOCOL)) return SUBPROTOCOL;
  // Never a token: the answer's headers may end up in a proxy's log.
  return offered.find((protocol) => !protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
}

/** True when the client asked for compression with the query parameter `?deflate`. */
function wantsDeflate(url: URL): boolean {
  const value = url.searchParams.get(DEFLATE_QUERY_PARAMETER);
  return value !== null && value !== "0" && value !== "false";
}

/** An extension no client offers: the answer that leaves compression off. */
const NO_EXTENSIONS = "wscomsrv-none";

/**
 * The headers of a Room's answer to an upgrade. Compression is off unless the client asked
 * for it: browsers and `ws` offer `permessage-deflate` by default, and it costs CPU on both
 * ends and hundreds of kilobytes of memory per socket. The runtime negotiates compression
 * from the `Sec-WebSocket-Extensions` header of the answer when there is one, so naming an
 * extension the client cannot have offered turns it off; without the header, the runtime
 * accepts what the client offered.
 */
export function upgradeHeaders(request: Request): Record<string, string> {
  const headers: Record<string, string> = {};
  const protocol = chosenSubprotocol(request);
  if (protocol !== undefined) headers["sec-websocket-protocol"] = protocol;
  if (!wantsDeflate(new URL(request.url))) headers["sec-websocket-extensions"] = NO_EXTENSIONS;
  return headers;
}

/**
 * What the local server and the Worker agree on for going away: the route the server posts the
 * rooms it served to before it stops, the header that carries the key of this start, and the
 * variable that holds the key on the Worker's side (set by the local server only; never on
 * Cloudflare, where the route is then unknown).
 *
 * @module
 */

/** The going-away route's path, header and the Worker variable of its key. */
export const GOING_AWAY_ROUTE = {
  /** The path the local server posts the room names to. */
  path: "/_going-away",
  /** The request header that carries the key. */
  header: "x-wscomsrv-going-away",
  /** The Worker's variable that holds the key of this start. */
  variable: "GOING_AWAY_KEY",
} as const;

/**
 * Does the Worker accept its configuration? It reads the room options (`ROOM_POLICY`,
 * `TOKEN_KEYS`…) at the first request, and when it refuses them it answers every request with
 * HTTP 500 and logs `relay misconfigured: <why>`. One plain HTTP request to the room
 * `default`, answered before any room is touched, finds that out right after the start, with
 * the Worker's own reason.
 *
 * @module
 */

import type { SocketServer } from "./socket-server.js";

const MISCONFIGURED = "relay misconfigured: ";

/** What the Worker says when its log line does not arrive in time. */
const UNKNOWN_REASON = "the relay's log did not say why";

/**
 * Asks the running relay whether it accepts its configuration.
 *
 * @param timeout - Milliseconds to wait for the answer, and then for the log line. Default 5 s.
 * @returns `undefined` when it does, else the Worker's reason (`TOKEN_KEYS: …`).
 * @throws (rejects) when the relay does not answer at all.
 * @example
 * ```ts
 * const problem = await refusedConfiguration(server);
 * if (problem !== undefined) console.error(`relay misconfigured: ${problem}`);
 * ```
 */
export async function refusedConfiguration(
  server: SocketServer,
  timeout = 5_000,
): Promise<string | undefined> {
  let off = () => {};
  const logged = new Promise<string>((resolve) => {
    off = server.on("console", (entry) => {
      if (entry.message.startsWith(MISCONFIGURED)) {
        resolve(entry.message.slice(MISCONFIGURED.length).split("\n")[0] ?? "");
      }
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = await fetch(`${loopbackAddress(server)}/`, {
      signal: AbortSignal.timeout(timeout),
    });
    await response.body?.cancel();
    if (response.status !== 500) return undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(resolve, timeout, UNKNOWN_REASON);
    });
    return await Promise.race([logged, late]);
  } finally {
    clearTimeout(timer);
    off();
  }
}

/** `http://host:port` of the server, from this machine. */
function loopbackAddress(server: SocketServer): string {
  if (server.host === "0.0.0.0") return `http://127.0.0.1:${server.port}`;
  if (server.host === "::") return `http://[::1]:${server.port}`;
  return server.wsAddress.replace(/^ws:/, "http:");
}

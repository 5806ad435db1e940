/**
 * The relay on one machine: the production Worker bundle running on workerd through
 * Miniflare, in this process. The seed's `SockerServer`, in TypeScript.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/** Options of {@link SocketServer.start}. */
export interface SocketServerOptions {
  /** Address to listen on. Default `"127.0.0.1"`. */
  host?: string;
  /** Port to listen on; `0` picks a free one. Default `8888`. */
  port?: number;
  /** Room password; unset or empty leaves rooms open. Default: unset. */
  password?: string;
  /**
   * Directory for the rooms' durable state (epochs, later names and mailboxes). With one, the
   * state survives a restart; without one, nothing is written to disk. Default: unset.
   */
  persist?: string;
  /** The Worker bundle to run. Default: the one `npm run build` wrote to `dist/worker`. */
  scriptPath?: string;
}

/** The compatibility date of the bundle; kept equal to `wrangler.toml`'s. */
export const COMPATIBILITY_DATE = "2026-11-01";

/** Where `npm run build` writes the Worker bundle, seen from this module in src or dist. */
export function defaultScriptPath(): string {
  for (const relative of ["../worker/index.js", "../../dist/worker/index.js"]) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("the Worker bundle is missing: run `npm run build` first");
}

/** A running local relay. */
export class SocketServer {
  readonly #miniflare: Miniflare;
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;

  private constructor(miniflare: Miniflare, host: string, port: number) {
    this.#miniflare = miniflare;
    this.host = host;
    this.port = port;
  }

  /**
   * Starts a relay and resolves once it accepts connections.
   *
   * @example
   * ```ts
   * const server = await SocketServer.start({ port: 0 });
   * console.log(server.wsAddress); // ws://127.0.0.1:40123
   * await server.close();
   * ```
   */
  static async start(options: SocketServerOptions = {}): Promise<SocketServer> {
    const host = options.host ?? "127.0.0.1";
    const bindings: Record<string, string> = {};
    if (options.password) bindings.ROOM_PASSWORD = options.password;
    const miniflare = new Miniflare(
      convertV4MiniflareOptions({
        host,
        port: options.port ?? 8888,
        modules: true,
        scriptPath: options.scriptPath ?? defaultScriptPath(),
        compatibilityDate: COMPATIBILITY_DATE,
        durableObjects: { ROOMS: { className: "Room", useSQLite: true } },
        durableObjectsPersist: options.persist ?? false,
        bindings,
      }),
    );
    try {
      const url = await miniflare.ready;
      return new SocketServer(miniflare, host, Number(url.port));
    } catch (error) {
      await miniflare.dispose().catch(() => {});
      throw error;
    }
  }

  /** `ws://host:port`: the address clients connect to (the seed's `ws_adress`). */
  get wsAddress(): string {
    return `ws://${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Stops the relay, frees the port and ends the workerd process. */
  async close(): Promise<void> {
    await this.#miniflare.dispose();
  }
}

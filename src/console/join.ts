/**
 * How the console joins its room: the name it takes (`?name=`, else `gui` when free, else a
 * generated `console-xxxx`), the password or token it asks for in rooms that need one, and
 * a fresh client when the name or the password was refused. The console is a client like any
 * other: the SDK's browser build, with its default capabilities.
 *
 * @module
 */

import { CloseCode, ErrorCode, isJsonObject, own } from "wscomsrv-protocol";
import { FatalCloseError, type Logger, RelayError, WebSocketClient } from "../client/index.js";

/**
 * The name the console takes when the page names none and it is free: `gui`.
 *
 * @example
 * ```ts
 * new URLSearchParams(location.search).get("name") ?? DEFAULT_CONSOLE_NAME;
 * ```
 */
export const DEFAULT_CONSOLE_NAME = "gui";

/**
 * A room's access policy, as the Worker wrote it into the page.
 *
 * @example
 * ```ts
 * const policy: ConsolePolicy = document.body.dataset.policy === "token" ? "token" : "open";
 * ```
 */
export type ConsolePolicy = "open" | "password" | "token";

/**
 * What {@link join} needs from the page.
 *
 * @example
 * ```ts
 * const settings: JoinSettings = { url, policy, name, logger, askSecret, started, status };
 * ```
 */
export interface JoinSettings {
  /** The room's WebSocket address (`ws://host/room`). */
  url: string;
  /** The room's policy. */
  policy: ConsolePolicy;
  /** The name from `?name=`, if any. */
  name: string | undefined;
  /** Where the clients' warnings go. */
  logger: Logger;
  /** Asks the user for the password or token; `problem` says why again, when it is again. */
  askSecret(kind: "password" | "token", problem?: string): Promise<string>;
  /** Runs for every client made (the first, and each retry), before it connects. */
  started(client: WebSocketClient): void;
  /** Tells the user where the console stands. */
  status(text: string, failed?: boolean): void;
}

/**
 * A generated console name: `console-` and four random letters or digits.
 *
 * @example
 * ```ts
 * generatedName(); // "console-k3x9"
 * ```
 */
export function generatedName(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return `console-${[...bytes].map((byte) => alphabet[byte % alphabet.length]).join("")}`;
}

/**
 * The name a relay token is for (tokens bind one name), read from its payload without
 * checking its signature (the relay does), or `undefined` when it is no token.
 *
 * @example
 * ```ts
 * tokenName("v1.k1.eyJyb29tIjoibGFiIiwibmFtZSI6Imd1aSIsImV4cCI6MX0.sig"); // "gui"
 * ```
 */
export function tokenName(token: string): string | undefined {
  const payload = token.trim().split(".")[2];
  if (payload === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const name = isJsonObject(claims) ? own(claims, "name") : undefined;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Joins the room: asks for a secret when the policy needs one, then connects under the
 * chosen name, and tries again under a generated name when the default name is taken (the
 * relay first asks its holder whether it is still there, for `takeoverProbeMs`), and with a
 * new password when the password was wrong.
 *
 * @example
 * ```ts
 * await join({ url, policy: "open", name: undefined, logger: console,
 *   askSecret: async () => "", started: (client) => wire(client), status: console.log });
 * ```
 */
export async function join(settings: JoinSettings): Promise<void> {
  const { policy } = settings;
  let secret = policy === "open" ? undefined : await settings.askSecret(policy);
  let name = settings.name ?? DEFAULT_CONSOLE_NAME;
  if (policy === "token" && secret !== undefined) {
    const bound = tokenName(secret);
    if (bound === undefined) settings.status("that does not look like a relay token", true);
    name = bound ?? name;
  }
  const start = (): void => {
    const client = new WebSocketClient(name, {
      host: settings.url,
      password: policy === "password" ? secret : undefined,
      token: policy === "token" ? secret : undefined,
      logger: settings.logger,
    });
    client.on("open", () => settings.status(`identifying as ${name}…`));
    client.on("identified", () => settings.status(`joined as ${name}`));
    client.on("close", ({ code, reconnecting, delay }) => {
      if (reconnecting) {
        settings.status(`connection closed (${code}); trying again in ${delay ?? 0} ms`, true);
      }
    });
    let refused = false;
    const askAgain = (): void => {
      if (refused) return;
      refused = true;
      client.close();
      settings.askSecret("password", "the relay refused that password").then((again) => {
        secret = again;
        start();
      });
    };
    client.on("error", (error) => {
      // A wrong password: the relay says so and would let the same one be tried again.
      if (error instanceof RelayError && error.relayCode === ErrorCode.badPassword) {
        if (policy === "password") askAgain();
        return;
      }
      if (!(error instanceof FatalCloseError)) return;
      client.close();
      if (error.closeCode === CloseCode.nameTaken && settings.name === undefined) {
        if (name === DEFAULT_CONSOLE_NAME && policy !== "token") {
          name = generatedName();
          settings.status(`${DEFAULT_CONSOLE_NAME} is taken; joining as ${name}…`);
          start();
          return;
        }
      }
      if (error.closeCode === CloseCode.badPassword && policy === "password") return askAgain();
      settings.status(`the relay closed the connection: ${error.reason || error.message}`, true);
    });
    settings.started(client);
    settings.status(`connecting as ${name}…`);
  };
  start();
}

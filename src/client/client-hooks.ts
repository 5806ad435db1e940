/**
 * The hook methods every client has: `addOnOpen`, `addOnClose`, `addOnError`, `addOnMessage`,
 * `addOnIdentified`, `addOnRelayError`, `addOnUnconfirmed`, their `removeOn...`, and `on()`.
 * {@link WebSocketClient} extends this class; the hooks are run by its {@link ClientEmitter}.
 *
 * @module
 */

import type { ClientEmitter } from "./emitter.js";
import type { ClientEvents, ClientHook } from "./events.js";
import type { HookKey, NamedHooks } from "./hooks.js";

/**
 * Registration of a client's hooks, by name or anonymously.
 *
 * @example
 * ```ts
 * const wsc = new WebSocketClient("Player1", { host: "ws://127.0.0.1:8888" });
 * wsc.addOnOpen("log", () => console.log("open")); // a ClientHooks method
 * ```
 */
export abstract class ClientHooks {
  readonly #hookEmitter: ClientEmitter;

  /** @param emitter - The emitter that runs the hooks registered here. */
  protected constructor(emitter: ClientEmitter) {
    this.#hookEmitter = emitter;
  }

  /**
   * Runs `fn` whenever a socket opens (before the identify). The seed's `add_on_open`.
   *
   * @param name - Names the hook, for {@link removeOnOpen} and for overwriting.
   * @param fn - Called with no arguments.
   * @param overwrite - Replace a hook of the same name. Default `false`: the old one is kept,
   *   a warning is logged and `false` is returned.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnOpen("log", () => console.log("open"));
   * ```
   */
  addOnOpen(name: string, fn: ClientHook<"open">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.open.add(name, fn, overwrite);
  }

  /** Removes the open hook `name`. @returns true when there was one. */
  removeOnOpen(name: string): boolean {
    return this.#hookEmitter.hooks.open.remove(name);
  }

  /**
   * Runs `fn` whenever the socket closes. The seed's `add_on_close`; `fn` may take the
   * {@link CloseInfo} (code, reason, whether a reconnect is scheduled) or nothing.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnClose("log", ({ code, reconnecting }) => console.log("closed", code, reconnecting));
   * ```
   */
  addOnClose(name: string, fn: ClientHook<"close">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.close.add(name, fn, overwrite);
  }

  /** Removes the close hook `name`. @returns true when there was one. */
  removeOnClose(name: string): boolean {
    return this.#hookEmitter.hooks.close.remove(name);
  }

  /**
   * Runs `fn` for every error: invalid frames, unknown types and commands, failing handlers,
   * queue overflow, socket errors, fatal closes and the relay's error reports. The seed's
   * `add_on_error`; `fn` may take the {@link ClientError} or nothing. With no error hook
   * registered, errors are logged as warnings.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnError("log", (error) => console.warn(error.code, error.message));
   * ```
   */
  addOnError(name: string, fn: ClientHook<"error">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.error.add(name, fn, overwrite);
  }

  /** Removes the error hook `name`. @returns true when there was one. */
  removeOnError(name: string): boolean {
    return this.#hookEmitter.hooks.error.remove(name);
  }

  /**
   * Runs `fn` for every valid frame received, before it goes to its command or message
   * type function. The seed's `add_on_message`: `fn` receives the message (the decoded
   * envelope) and a {@link MessageContext} with the sender and the raw frame.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnMessage("trace", (message, { raw }) => console.log(message.type, raw));
   * ```
   */
  addOnMessage(name: string, fn: ClientHook<"message">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.message.add(name, fn, overwrite);
  }

  /** Removes the message hook `name`. @returns true when there was one. */
  removeOnMessage(name: string): boolean {
    return this.#hookEmitter.hooks.message.remove(name);
  }

  /**
   * Runs `fn` each time the relay accepts the identify: after the first connect and after
   * every reconnect, right after the queue was sent.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnIdentified("ready", ({ name, time }) => console.log(name, "joined; epoch", time));
   * ```
   */
  addOnIdentified(name: string, fn: ClientHook<"identified">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.identified.add(name, fn, overwrite);
  }

  /** Removes the identified hook `name`. @returns true when there was one. */
  removeOnIdentified(name: string): boolean {
    return this.#hookEmitter.hooks.identified.remove(name);
  }

  /**
   * Runs `fn` for each error report from the relay: a {@link RelayError} with the relay's
   * `relayCode` (for example `UNDELIVERED` with the missing `targets`). These reports go to
   * the error hooks as well.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnRelayError("missing", (error) => {
   *   if (error.relayCode === "UNDELIVERED") console.log("not there:", error.targets);
   * });
   * ```
   */
  addOnRelayError(name: string, fn: ClientHook<"relayError">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.relayError.add(name, fn, overwrite);
  }

  /** Removes the relay error hook `name`. @returns true when there was one. */
  removeOnRelayError(name: string): boolean {
    return this.#hookEmitter.hooks.relayError.remove(name);
  }

  /**
   * Runs `fn` with each {@link UnconfirmedError}: frames handed to a socket that the relay
   * never acked (capability `acks`), once per connection that closed with some. They go to
   * the error hooks as well. The client never resends them.
   *
   * @param overwrite - Replace a hook of the same name. Default `false`.
   * @returns true when `fn` was registered.
   * @example
   * ```ts
   * wsc.addOnUnconfirmed("audit", ({ frames, untracked }) => console.warn(frames.length + untracked));
   * ```
   */
  addOnUnconfirmed(name: string, fn: ClientHook<"unconfirmed">, overwrite = false): boolean {
    return this.#hookEmitter.hooks.unconfirmed.add(name, fn, overwrite);
  }

  /** Removes the unconfirmed hook `name`. @returns true when there was one. */
  removeOnUnconfirmed(name: string): boolean {
    return this.#hookEmitter.hooks.unconfirmed.remove(name);
  }

  /**
   * Adds an anonymous hook for `event` and returns the function that removes it.
   *
   * @example
   * ```ts
   * const off = wsc.on("identified", () => console.log("ready"));
   * off();
   * ```
   */
  on<K extends keyof ClientEvents>(event: K, fn: ClientHook<K>): () => void {
    const hooks: NamedHooks<ClientEvents[K]> = this.#hookEmitter.hooks[event];
    const key: HookKey = Symbol(event);
    hooks.add(key, fn);
    return () => {
      hooks.remove(key);
    };
  }
}

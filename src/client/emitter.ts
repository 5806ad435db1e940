/**
 * The client's hooks and how they are run: every hook and every registered function is
 * called through {@link ClientEmitter.call}, so that a throw or a rejection becomes a
 * `HANDLER_FAILED` error for the error hooks instead of leaving the receive path.
 *
 * @module
 */

import { type ClientError, HandlerError, RelayError, UnconfirmedError } from "./errors.js";
import type { ClientEvents } from "./events.js";
import { NamedHooks } from "./hooks.js";
import type { Logger } from "./options.js";

type HookTable = { [K in keyof ClientEvents]: NamedHooks<ClientEvents[K]> };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    "then" in value &&
    typeof value.then === "function"
  );
}

/**
 * The named hooks of each client event, and the rules for running them.
 *
 * @example
 * ```ts
 * const emitter = new ClientEmitter("Player1", console);
 * emitter.hooks.open.add("log", () => console.log("open"));
 * emitter.emit("open");
 * ```
 */
export class ClientEmitter {
  /** The hooks of each event, in the order they were added. */
  readonly hooks: HookTable;
  readonly #name: string;
  readonly #logger: Logger;

  /**
   * @param name - The client's name, for log lines.
   * @param logger - Where warnings go, and errors no hook could take.
   */
  constructor(name: string, logger: Logger) {
    this.#name = name;
    this.#logger = logger;
    const warn = (message: string): void => logger.warn(message);
    this.hooks = {
      open: new NamedHooks("addOnOpen", warn),
      close: new NamedHooks("addOnClose", warn),
      error: new NamedHooks("addOnError", warn),
      message: new NamedHooks("addOnMessage", warn),
      identified: new NamedHooks("addOnIdentified", warn),
      relayError: new NamedHooks("addOnRelayError", warn),
      unconfirmed: new NamedHooks("addOnUnconfirmed", warn),
    };
  }

  /** Logs a warning with the client's name. */
  warn(message: string): void {
    this.#logger.warn(message);
  }

  /**
   * Calls `fn` with `args`. A throw, or a rejection of the promise it returns, goes to
   * {@link fail} as a `HandlerError` naming `label`.
   */
  call<A extends unknown[]>(label: string, fn: (...args: A) => unknown, args: A): void {
    try {
      const result = fn(...args);
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => this.fail(new HandlerError(label, error)));
      }
    } catch (error) {
      this.fail(new HandlerError(label, error));
    }
  }

  /** Calls every hook of `event`, in order, on a copy of the list. */
  emit<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void {
    const hooks: NamedHooks<ClientEvents[K]> = this.hooks[event];
    for (const [key, fn] of hooks.snapshot()) {
      this.call(`${event} hook "${String(key)}"`, fn, args);
    }
  }

  /**
   * Reports an error: relay reports to the relay error hooks first, unconfirmed frames to the
   * unconfirmed hooks first, then everything to the error hooks. With no hook to take it, the
   * error is logged as a warning. An error hook that throws is logged, never reported again.
   */
  fail(error: ClientError): void {
    let taken = false;
    if (error instanceof RelayError) {
      this.emit("relayError", error);
      taken = this.hooks.relayError.size > 0;
    } else if (error instanceof UnconfirmedError) {
      this.emit("unconfirmed", error);
      taken = this.hooks.unconfirmed.size > 0;
    }
    const hooks = this.hooks.error;
    if (hooks.size === 0) {
      if (!taken) this.#logger.warn(`[${this.#name}] ${error.code}: ${error.message}`);
      return;
    }
    for (const [key, fn] of hooks.snapshot()) {
      const report = (thrown: unknown): void =>
        this.#logger.error(`[${this.#name}] error hook "${String(key)}" failed:`, thrown);
      try {
        const result = fn(error);
        if (isThenable(result)) result.then(undefined, report);
      } catch (thrown) {
        report(thrown);
      }
    }
  }
}

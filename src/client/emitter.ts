/**
 * The client's hooks and how they are run: named hooks (the seed's `add_on_*` bookkeeping:
 * functions under a name, kept in the order they were added, replaced only when asked to),
 * and the emitter that calls them. Every hook and every registered function is called
 * through {@link ClientEmitter.call}, so that a throw or a rejection becomes a
 * `HANDLER_FAILED` error for the error hooks instead of leaving the receive path.
 *
 * @module
 */

import { type ClientError, ClientErrorCode, HandlerError } from "./errors.js";
import type { ClientEvents, ClientHook } from "./events.js";
import type { Logger } from "./options.js";

/**
 * A hook's key: a name given by the caller, or a symbol made by `on()`.
 *
 * @example
 * ```ts
 * hooks.add(Symbol("anonymous"), () => {});
 * ```
 */
export type HookKey = string | symbol;

/**
 * Functions taking the arguments `A`, each under a name.
 *
 * @example
 * ```ts
 * const hooks = new NamedHooks<[number]>("addOnTick", console.warn, 'the first argument is the hook\'s name (a string); to add an anonymous hook use client.on("tick", fn)');
 * hooks.add("log", (n) => console.log(n)); // true
 * hooks.add("log", () => {}); // false, warns, keeps the first
 * hooks.add("log", () => {}, true); // true: replaced
 * ```
 */
export class NamedHooks<A extends unknown[]> {
  readonly #fns = new Map<HookKey, (...args: A) => unknown>();
  readonly #label: string;
  readonly #warn: (message: string) => void;
  readonly #misuse: string;

  /**
   * @param label - The method that adds to this list, for the warning.
   * @param warn - Where the warning goes.
   * @param misuse - What the `TypeError` says when the name is missing (a function given in
   *   its place): the call as it should be and what the first argument is.
   */
  constructor(label: string, warn: (message: string) => void, misuse = "") {
    this.#label = label;
    this.#warn = warn;
    this.#misuse = misuse;
  }

  /**
   * Registers `fn` under `name`. A name that is taken keeps its function unless `overwrite`
   * is true; then the new one takes the old one's place in the order.
   *
   * @returns true when `fn` was registered; false (with a warning) when the name was taken.
   */
  add(name: HookKey, fn: (...args: A) => unknown, overwrite = false): boolean {
    if (typeof name !== "string" && typeof name !== "symbol") {
      throw new TypeError(
        this.#misuse || `${this.#label}: the first argument must be a name (a string)`,
      );
    }
    if (typeof fn !== "function") {
      throw new TypeError(`${this.#label}: expected a function for "${String(name)}"`);
    }
    if (this.#fns.has(name) && !overwrite) {
      this.#warn(
        `${this.#label}: "${String(name)}" is already registered; the old function is kept (pass overwrite = true to replace it)`,
      );
      return false;
    }
    this.#fns.set(name, fn);
    return true;
  }

  /** Removes the function under `name`. @returns true when there was one. */
  remove(name: HookKey): boolean {
    return this.#fns.delete(name);
  }

  /** The function under `name`, if any. */
  get(name: HookKey): ((...args: A) => unknown) | undefined {
    return this.#fns.get(name);
  }

  /** The names given by callers (not the anonymous ones of `on()`), in order. */
  names(): string[] {
    return [...this.#fns.keys()].filter((key): key is string => typeof key === "string");
  }

  /** How many functions are registered. */
  get size(): number {
    return this.#fns.size;
  }

  /** A copy of the entries, so that a hook may add or remove hooks while they are called. */
  snapshot(): Array<[HookKey, (...args: A) => unknown]> {
    return [...this.#fns.entries()];
  }
}

/**
 * What `addOnX(fn)`, a function where the hook's name goes, is told.
 *
 * @example
 * ```ts
 * hookMisuse("addOnClose", "close");
 * // 'addOnClose(name, fn): the first argument is the hook\'s name (a string); to add an anonymous hook use client.on("close", fn)'
 * ```
 */
function hookMisuse(method: string, event: string): string {
  return `${method}(name, fn): the first argument is the hook's name (a string); to add an anonymous hook use client.on("${event}", fn)`;
}

type HookTable = { [K in keyof ClientEvents]: NamedHooks<ClientEvents[K]> };

/**
 * True when `value` is a promise or any thenable (what a user's function may return).
 *
 * @example
 * ```ts
 * isThenable(Promise.resolve(1)); // true
 * ```
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
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
    const named = <K extends keyof ClientEvents>(
      method: string,
      event: K,
    ): NamedHooks<ClientEvents[K]> => new NamedHooks(method, warn, hookMisuse(method, event));
    this.hooks = {
      open: named("addOnOpen", "open"),
      close: named("addOnClose", "close"),
      error: named("addOnError", "error"),
      message: named("addOnMessage", "message"),
      identified: named("addOnIdentified", "identified"),
      relayError: named("addOnRelayError", "relayError"),
      unconfirmed: named("addOnUnconfirmed", "unconfirmed"),
      join: named("addOnJoin", "join"),
      leave: named("addOnLeave", "leave"),
      away: new NamedHooks("on(away)", warn),
      back: new NamedHooks("on(back)", warn),
      moved: new NamedHooks("on(moved)", warn),
      clock: new NamedHooks("on", warn),
    };
  }

  /**
   * Adds an anonymous hook for `event`.
   *
   * @returns The function that removes it.
   */
  on<K extends keyof ClientEvents>(event: K, fn: ClientHook<K>): () => void {
    const hooks: NamedHooks<ClientEvents[K]> = this.hooks[event];
    const key: HookKey = Symbol(event);
    hooks.add(key, fn);
    return () => {
      hooks.remove(key);
    };
  }

  /**
   * Adds an anonymous hook for `event` that is removed before its first call.
   *
   * @returns The function that removes it (before it was called).
   * @throws TypeError when `fn` is not a function.
   */
  once<K extends keyof ClientEvents>(event: K, fn: ClientHook<K>): () => void {
    if (typeof fn !== "function") {
      throw new TypeError(`once("${event}", fn): fn must be a function, got ${typeof fn}`);
    }
    const off = this.on(event, (...args: ClientEvents[K]) => {
      off();
      return fn(...args);
    });
    return off;
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
    if (error.code === ClientErrorCode.relayError) {
      this.emit("relayError", error);
      taken = this.hooks.relayError.size > 0;
    } else if (error.code === ClientErrorCode.unconfirmed) {
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

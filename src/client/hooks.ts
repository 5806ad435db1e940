/**
 * Named hooks: functions registered under a name, kept in the order they were added,
 * replaced only when asked to, removable by name. The seed's `add_on_*` bookkeeping.
 *
 * @module
 */

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
 * const hooks = new NamedHooks<[number]>("addOnTick", console.warn);
 * hooks.add("log", (n) => console.log(n)); // true
 * hooks.add("log", () => {}); // false, warns, keeps the first
 * hooks.add("log", () => {}, true); // true: replaced
 * ```
 */
export class NamedHooks<A extends unknown[]> {
  readonly #fns = new Map<HookKey, (...args: A) => unknown>();
  readonly #label: string;
  readonly #warn: (message: string) => void;

  /**
   * @param label - The method that adds to this list, for the warning.
   * @param warn - Where the warning goes.
   */
  constructor(label: string, warn: (message: string) => void) {
    this.#label = label;
    this.#warn = warn;
  }

  /**
   * Registers `fn` under `name`. A name that is taken keeps its function unless `overwrite`
   * is true; then the new one takes the old one's place in the order.
   *
   * @returns true when `fn` was registered; false (with a warning) when the name was taken.
   */
  add(name: HookKey, fn: (...args: A) => unknown, overwrite = false): boolean {
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

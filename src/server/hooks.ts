/**
 * A small typed hook list: `on()` returns the function that removes the hook, and the list is
 * copied before it is called, so a hook may remove itself or add others.
 *
 * @module
 */

/** A typed list of hooks per name; `Events` maps each name to the value its hooks receive. */
export class Hooks<Events> {
  readonly #lists = new Map<keyof Events, Set<(value: never) => void>>();

  /** Adds a hook; returns the function that removes it. */
  on<K extends keyof Events>(type: K, hook: (value: Events[K]) => void): () => void {
    let list = this.#lists.get(type);
    if (list === undefined) {
      list = new Set();
      this.#lists.set(type, list);
    }
    // Wrapped, so that adding the same function twice gives two independent hooks.
    const entry = (value: Events[K]) => hook(value);
    list.add(entry as (value: never) => void);
    return () => {
      list.delete(entry as (value: never) => void);
    };
  }

  /** Calls every hook of `type` with `value`, in the order they were added. */
  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    const list = this.#lists.get(type);
    if (list === undefined) return;
    for (const hook of [...list]) (hook as (value: Events[K]) => void)(value);
  }

  /** Removes every hook. */
  clear(): void {
    this.#lists.clear();
  }
}

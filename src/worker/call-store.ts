/**
 * The calls a room waits on a reply for, in its durable storage (table `calls`: callee,
 * caller, call id, time), so that they outlive hibernation. Written when a call is delivered,
 * deleted by its reply, by a leave of its callee or caller, or after an hour.
 *
 * @module
 */

/** How long a pending call is kept when neither a reply nor a leave ends it, in ms (1 hour). */
export const CALL_RETENTION_MS = 3_600_000;

/**
 * A pending call, as the room keeps it.
 *
 * @example
 * ```ts
 * const pending: PendingCall = { caller: "gui", call: "k3J9xq0aTz1c-1" };
 * ```
 */
export interface PendingCall {
  /** The name that called. */
  caller: string;
  /** The call's id. */
  call: string;
}

/**
 * The calls the room waits on a reply for, in durable storage.
 *
 * @example
 * ```ts
 * calls.add("dev", "gui", "k3J9-1", Date.now());
 * calls.take("dev", "gui", "k3J9-1"); // true, and the row is gone
 * ```
 */
export interface CallStore {
  /** Records that `caller` called `callee` with id `call` at `at` (ms since 1970). */
  add(callee: string, caller: string, call: string, at: number): void;
  /** Deletes the pending call `call` of `caller` to `callee`. @returns true when there was one. */
  take(callee: string, caller: string, call: string): boolean;
  /** Deletes every pending call to `callee` and returns them, oldest first. */
  takeAllTo(callee: string): PendingCall[];
  /** Deletes every pending call `caller` made. */
  dropFrom(caller: string): void;
  /** Deletes the calls made before `before` (ms since 1970). @returns how many. */
  prune(before: number): number;
}

/**
 * A {@link CallStore} on the Durable Object's SQLite storage.
 *
 * @example
 * ```ts
 * const calls = new SqlCallStore(ctx.storage.sql);
 * ```
 */
export class SqlCallStore implements CallStore {
  readonly #sql: SqlStorage;

  /** Creates the table on first use. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS calls (callee TEXT NOT NULL, caller TEXT NOT NULL, call TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (caller, call))",
    );
    sql.exec("CREATE INDEX IF NOT EXISTS calls_callee ON calls (callee)");
    sql.exec("CREATE INDEX IF NOT EXISTS calls_at ON calls (at)");
  }

  add(callee: string, caller: string, call: string, at: number): void {
    this.#sql.exec(
      "INSERT INTO calls (callee, caller, call, at) VALUES (?, ?, ?, ?) ON CONFLICT(caller, call) DO UPDATE SET callee = excluded.callee, at = excluded.at",
      callee,
      caller,
      call,
      at,
    );
  }

  take(callee: string, caller: string, call: string): boolean {
    return (
      this.#sql.exec(
        "DELETE FROM calls WHERE caller = ? AND call = ? AND callee = ?",
        caller,
        call,
        callee,
      ).rowsWritten > 0
    );
  }

  takeAllTo(callee: string): PendingCall[] {
    const pending: PendingCall[] = [];
    for (const row of this.#sql.exec(
      "SELECT caller, call FROM calls WHERE callee = ? ORDER BY at",
      callee,
    )) {
      if (typeof row.caller === "string" && typeof row.call === "string") {
        pending.push({ caller: row.caller, call: row.call });
      }
    }
    if (pending.length > 0) this.#sql.exec("DELETE FROM calls WHERE callee = ?", callee);
    return pending;
  }

  dropFrom(caller: string): void {
    this.#sql.exec("DELETE FROM calls WHERE caller = ?", caller);
  }

  prune(before: number): number {
    return this.#sql.exec("DELETE FROM calls WHERE at < ?", before).rowsWritten;
  }
}

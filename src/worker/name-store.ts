/**
 * Per-name state in the room's durable storage: today the resume secret of each name and when
 * the name was last held, written only when a client identifies or closes, never on the
 * per-message path. Names not held for `nameRetentionMs` are pruned, and their secrets with
 * them.
 *
 * The secret is kept as issued: the storage is private to the room, and comparing it needs no
 * asynchronous hashing in the middle of the identify, which would let other frames overtake it.
 *
 * @module
 */

import { randomBase64Url } from "../auth/base64url.js";

/** What the identify needs from the per-name storage. */
export interface NameStore {
  /** The resume secret issued for `name`, if any. */
  secretOf(name: string): string | undefined;
  /** Stores the resume secret of `name`. */
  remember(name: string, secret: string, now: number): void;
  /** Drops the resume secret of `name`, if there is one. */
  forget(name: string): void;
  /** Notes that `name` was held at `now` (its holder closed). */
  touch(name: string, now: number): void;
  /**
   * Forgets names last seen before `before`, except those `held` says are held now (their
   * row is touched instead), at most `max` at a time.
   *
   * @returns how many names were forgotten.
   */
  prune(before: number, held: (name: string) => boolean, max?: number): number;
}

/** A {@link NameStore} on the Durable Object's SQLite storage. */
export class SqlNameStore implements NameStore {
  readonly #sql: SqlStorage;

  /** Creates the table on first use. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY, secret TEXT NOT NULL, seen REAL NOT NULL)",
    );
    sql.exec("CREATE INDEX IF NOT EXISTS names_seen ON names (seen)");
  }

  touch(name: string, now: number): void {
    this.#sql.exec("UPDATE names SET seen = ? WHERE name = ?", now, name);
  }

  prune(before: number, held: (name: string) => boolean, max = 1_000): number {
    const stale: string[] = [];
    for (const row of this.#sql.exec(
      "SELECT name FROM names WHERE seen < ? ORDER BY seen LIMIT ?",
      before,
      max,
    )) {
      if (typeof row.name === "string") stale.push(row.name);
    }
    let forgotten = 0;
    for (const name of stale) {
      if (held(name)) {
        this.touch(name, before);
      } else {
        this.forget(name);
        forgotten += 1;
      }
    }
    return forgotten;
  }

  secretOf(name: string): string | undefined {
    for (const row of this.#sql.exec("SELECT secret FROM names WHERE name = ?", name)) {
      const secret = row.secret;
      return typeof secret === "string" ? secret : undefined;
    }
    return undefined;
  }

  forget(name: string): void {
    this.#sql.exec("DELETE FROM names WHERE name = ?", name);
  }

  remember(name: string, secret: string, now: number): void {
    this.#sql.exec(
      "INSERT INTO names (name, secret, seen) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET secret = excluded.secret, seen = excluded.seen",
      name,
      secret,
      now,
    );
  }
}

/** A new resume secret: 24 random bytes, base64url. */
export function newSecret(): string {
  return randomBase64Url(24);
}

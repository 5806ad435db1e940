/**
 * Per-name state in the room's durable storage: today the resume secret of each name, written
 * only when a client identifies, never on the per-message path.
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

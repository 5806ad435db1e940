/**
 * The room's mail in its durable SQLite storage (capability `delivery`): the frames it sent
 * or keeps for each name, numbered per name, until the name confirms them; and one row per
 * name with what outlives its frames (the last number confirmed, since when it is away, how
 * many frames it missed, and the resume secret its proven owner left with).
 *
 * A frame row is one run of consecutively numbered frames for one name (one event's, or what
 * the room kept in memory until it wrote it), so that a batch costs one write. The runtime
 * holds the messages of the event that writes a row until the write is durable; what `Mail`
 * keeps in memory instead, its senders still hold (see `mail.ts` and `acks.ts`).
 *
 * @module
 */

/** One event's frames for one name, as stored. */
export interface MailRow {
  /** The number of its first frame. */
  first: number;
  /** How many frames it holds (numbered `first` on). */
  count: number;
  /** The frames' texts (JSON objects), as sent. */
  texts: string[];
  /** Their characters. */
  chars: number;
  /** The frames among them whose sender asked for a receipt: `[sender, sid, seq]` each. */
  receipts: ReceiptRef[];
}

/** A frame whose sender asked for a receipt: the sender's name, the frame's stream and number. */
export type ReceiptRef = readonly [sender: string, sid: string, seq: number];

/** What a name's mail row keeps besides its frames. */
export interface MailboxRow {
  /** The highest number the name confirmed, as last written. */
  confirmed: number;
  /**
   * Every number up to this one may have been given out (numbers are reserved in blocks, so
   * that frames kept only in memory need no write to keep their numbers unique).
   */
  reserved: number;
  /**
   * Since when no socket holds the name (ms since 1970); `undefined` while held, and after its
   * window ended (then `closed`).
   */
  away: number | undefined;
  /** True when the name's window ended while it was away: nothing is kept for it any more. */
  closed: boolean;
  /** Frames the name missed and has not been told of yet. */
  missed: number;
  /** The resume secret of the name's proven owner, kept while its mail waits for it. */
  ownerSecret: string | undefined;
}

/** Totals of the frames kept. */
export interface MailTotals {
  /** Frames. */
  frames: number;
  /** Characters. */
  chars: number;
}

function text(value: SqlStorageValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function count(value: SqlStorageValue | undefined): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** True when `table` has `column` (asked of SQLite, which refuses a column it lacks). */
function hasColumn(sql: SqlStorage, table: string, column: string): boolean {
  try {
    sql.exec(`SELECT ${column} FROM ${table} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Brings tables that an earlier version of the room wrote (it wrote every frame at once) to
 * this module's: a mailbox without `reserved` reserved no numbers (0), and a frame row's
 * `sender` moves into its receipts, `[sid, seq]` each before and `[sender, sid, seq]` now.
 */
function upgradeTables(sql: SqlStorage): void {
  if (!hasColumn(sql, "mailboxes", "reserved")) {
    sql.exec("ALTER TABLE mailboxes ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0");
  }
  if (hasColumn(sql, "mail", "sender")) {
    sql.exec(
      "UPDATE mail SET receipts = (SELECT json_group_array(json_array(mail.sender, json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'))) FROM json_each(mail.receipts) AS r) WHERE receipts IS NOT NULL",
    );
    sql.exec("ALTER TABLE mail DROP COLUMN sender");
  }
}

/** Decodes a stored receipts column (JSON written by this module), dropping what is malformed. */
function decodeReceipts(value: SqlStorageValue | undefined): ReceiptRef[] {
  if (typeof value !== "string") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const receipts: ReceiptRef[] = [];
  for (const item of parsed) {
    if (
      Array.isArray(item) &&
      typeof item[0] === "string" &&
      typeof item[1] === "string" &&
      typeof item[2] === "number"
    ) {
      receipts.push([item[0], item[1], item[2]]);
    }
  }
  return receipts;
}

/** The frame texts of a stored row: its list of frame objects, each serialised again. */
function decodeTexts(value: SqlStorageValue): string[] {
  if (typeof value !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map((item) => JSON.stringify(item)) : [];
  } catch {
    return [];
  }
}

/** The room's mail tables. */
export class SqlMailStore {
  readonly #sql: SqlStorage;

  /** Creates the tables on first use. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS mail (name TEXT NOT NULL, first INTEGER NOT NULL, count INTEGER NOT NULL, chars INTEGER NOT NULL, texts TEXT NOT NULL, receipts TEXT, PRIMARY KEY (name, first)) WITHOUT ROWID",
    );
    sql.exec("CREATE TABLE IF NOT EXISTS held_receipts (name TEXT NOT NULL, text TEXT NOT NULL)");
    sql.exec("CREATE INDEX IF NOT EXISTS held_receipts_name ON held_receipts (name)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS mailboxes (name TEXT PRIMARY KEY, confirmed INTEGER NOT NULL, reserved INTEGER NOT NULL, away REAL, closed INTEGER NOT NULL, missed INTEGER NOT NULL, owner_secret TEXT)",
    );
    upgradeTables(sql);
  }

  /** Stores one event's frames for `name`. */
  insert(name: string, row: MailRow): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO mail (name, first, count, chars, texts, receipts) VALUES (?, ?, ?, ?, ?, ?)",
      name,
      row.first,
      row.count,
      row.chars,
      // The texts are JSON objects the room serialised: joined, they are a JSON list as they are.
      `[${row.texts.join(",")}]`,
      row.receipts.length > 0 ? JSON.stringify(row.receipts) : null,
    );
  }

  /** Keeps a receipt for `name`, which is away, until it is back. */
  holdReceipt(name: string, text: string): void {
    this.#sql.exec("INSERT INTO held_receipts (name, text) VALUES (?, ?)", name, text);
  }

  /** Takes the receipts kept for `name`, in the order they were kept. */
  takeReceipts(name: string): string[] {
    const texts: string[] = [];
    for (const row of this.#sql.exec(
      "DELETE FROM held_receipts WHERE name = ? RETURNING rowid, text",
      name,
    )) {
      const held = text(row.text);
      if (held !== undefined) texts.push(held);
    }
    return texts;
  }

  /** The rows kept for `name`, in order. */
  rows(name: string): MailRow[] {
    const rows: MailRow[] = [];
    for (const row of this.#sql.exec(
      "SELECT first, count, chars, texts, receipts FROM mail WHERE name = ? ORDER BY first",
      name,
    )) {
      rows.push(this.#row(row));
    }
    return rows;
  }

  /**
   * Deletes the rows of `name` whose frames are all numbered up to `through`.
   *
   * @returns the deleted rows that hold receipts asked for (texts left out), and the totals
   *   of all deleted rows.
   */
  deleteThrough(name: string, through: number): { receipted: MailRow[]; deleted: MailTotals } {
    const receipted: MailRow[] = [];
    const deleted: MailTotals = { frames: 0, chars: 0 };
    for (const row of this.#sql.exec(
      "DELETE FROM mail WHERE name = ? AND first + count - 1 <= ? RETURNING first, count, chars, receipts",
      name,
      through,
    )) {
      deleted.frames += count(row.count);
      deleted.chars += count(row.chars);
      if (row.receipts !== null && row.receipts !== undefined) receipted.push(this.#row(row));
    }
    return { receipted, deleted };
  }

  /** Deletes every row of `name`, returning them (texts left out). */
  deleteAll(name: string): MailRow[] {
    const rows: MailRow[] = [];
    for (const row of this.#sql.exec(
      "DELETE FROM mail WHERE name = ? RETURNING first, count, chars, receipts",
      name,
    )) {
      rows.push(this.#row(row));
    }
    return rows;
  }

  /** The highest number stored for `name`, or 0. */
  lastNumber(name: string): number {
    for (const row of this.#sql.exec(
      "SELECT max(first + count - 1) AS last FROM mail WHERE name = ?",
      name,
    )) {
      return count(row.last);
    }
    return 0;
  }

  /** The frames and characters kept for `name`, or for the whole room. */
  totals(name?: string): MailTotals {
    const cursor =
      name === undefined
        ? this.#sql.exec("SELECT sum(count) AS frames, sum(chars) AS chars FROM mail")
        : this.#sql.exec(
            "SELECT sum(count) AS frames, sum(chars) AS chars FROM mail WHERE name = ?",
            name,
          );
    for (const row of cursor) return { frames: count(row.frames), chars: count(row.chars) };
    return { frames: 0, chars: 0 };
  }

  /** The mailbox row of `name`, if it has one. */
  mailbox(name: string): MailboxRow | undefined {
    for (const row of this.#sql.exec(
      "SELECT confirmed, reserved, away, closed, missed, owner_secret FROM mailboxes WHERE name = ?",
      name,
    )) {
      return {
        confirmed: count(row.confirmed),
        reserved: count(row.reserved),
        away: typeof row.away === "number" ? row.away : undefined,
        closed: row.closed === 1,
        missed: count(row.missed),
        ownerSecret: text(row.owner_secret),
      };
    }
    return undefined;
  }

  /** Writes the mailbox row of `name`. */
  saveMailbox(name: string, box: MailboxRow): void {
    this.#sql.exec(
      "INSERT INTO mailboxes (name, confirmed, reserved, away, closed, missed, owner_secret) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET confirmed = excluded.confirmed, reserved = excluded.reserved, away = excluded.away, closed = excluded.closed, missed = excluded.missed, owner_secret = excluded.owner_secret",
      name,
      box.confirmed,
      box.reserved,
      box.away ?? null,
      box.closed ? 1 : 0,
      box.missed,
      box.ownerSecret ?? null,
    );
  }

  /** Names away since before `before`, with mail or a mailbox still open. */
  awaySince(before: number): string[] {
    const names: string[] = [];
    for (const row of this.#sql.exec(
      "SELECT name FROM mailboxes WHERE away IS NOT NULL AND away < ?",
      before,
    )) {
      const name = text(row.name);
      if (name !== undefined) names.push(name);
    }
    return names;
  }

  /** Names whose mailbox says a socket holds them. */
  heldNames(): string[] {
    const names: string[] = [];
    for (const row of this.#sql.exec(
      "SELECT name FROM mailboxes WHERE away IS NULL AND closed = 0",
    )) {
      const name = text(row.name);
      if (name !== undefined) names.push(name);
    }
    return names;
  }

  /**
   * Forgets the mailboxes of names whose window ended and that are forgotten otherwise (the
   * room no longer keeps their resume secret: `nameRetentionMs`).
   */
  prune(): void {
    this.#sql.exec(
      "DELETE FROM mailboxes WHERE closed = 1 AND name NOT IN (SELECT name FROM names)",
    );
  }

  /** The earliest time a name went away, if any name is away. */
  earliestAway(): number | undefined {
    for (const row of this.#sql.exec(
      "SELECT min(away) AS away FROM mailboxes WHERE away IS NOT NULL",
    )) {
      return typeof row.away === "number" ? row.away : undefined;
    }
    return undefined;
  }

  #row(row: Record<string, SqlStorageValue>): MailRow {
    return {
      first: count(row.first),
      count: count(row.count),
      chars: count(row.chars),
      texts: decodeTexts(row.texts ?? null),
      receipts: decodeReceipts(row.receipts ?? null),
    };
  }
}

/**
 * The frames and fields of exactly-once delivery and receipts (capabilities `delivery` and
 * `receipts`): a frame's identity (`sid`, `seq`), the ask for a receipt, the mark of a resend,
 * the relay's `mail` numbering, the receiver's `received` confirmation and the `receipt`
 * statuses. Untrusted input in, a typed value or `undefined` out.
 *
 * @module
 */

import { isJsonObject, own } from "./decode.js";
import { Command, FrameType, type Json, type JsonObject, SERVER } from "./envelope.js";

/** The envelope fields of delivery, receipts and calls, spelled once. */
export const DeliveryField = {
  /** The sender's stream: a random id per client object (1 to 64 characters). */
  sid: "sid",
  /** The frame's number in its stream: an integer from 1 up, one more for each frame. */
  seq: "seq",
  /** `true`: the sender asks for a `receipt` (needs `sid` and `seq`). */
  receipt: "receipt",
  /**
   * `true`: the frame is sent again after a connection broke before the relay acked it; only
   * receivers that drop duplicates (`delivery`) get it.
   */
  resent: "resent",
  /** A call's id (capability `calls`): on the call (a command) and on its `reply`. */
  call: "call",
} as const;

/** Longest `sid`, in characters. */
export const MAX_SID_LENGTH = 64;

/**
 * What a frame says of its identity and what its sender wants: its stream and number, and
 * whether it asks for a receipt or is a resend.
 *
 * @example
 * ```ts
 * const fields: DeliveryFields = { sid: "k3J9xq0aTz1c", seq: 42, receipt: true, resent: false };
 * ```
 */
export interface DeliveryFields {
  /** The sender's stream, if the frame names one. */
  sid: string | undefined;
  /** The frame's number in that stream, if it has one. */
  seq: number | undefined;
  /** True when the sender asks for a receipt. */
  receipt: boolean;
  /** True when the frame is a resend. */
  resent: boolean;
}

/**
 * The delivery fields of a decoded frame, or a sentence saying which one is malformed. A
 * frame without them is `{ sid: undefined, seq: undefined, receipt: false, resent: false }`.
 *
 * @example
 * ```ts
 * decodeDeliveryFields({ type: "note", target: ["B"], sid: "s1", seq: 3 });
 * // { sid: "s1", seq: 3, receipt: false, resent: false }
 * decodeDeliveryFields({ type: "note", target: ["B"], receipt: true }); // "receipt needs sid and seq"
 * ```
 */
export function decodeDeliveryFields(fields: JsonObject): DeliveryFields | string {
  const sid = own(fields, DeliveryField.sid);
  const seq = own(fields, DeliveryField.seq);
  const receipt = own(fields, DeliveryField.receipt);
  const resent = own(fields, DeliveryField.resent);
  if (
    sid !== undefined &&
    (typeof sid !== "string" || sid.length === 0 || sid.length > MAX_SID_LENGTH)
  ) {
    return `sid must be a string of 1 to ${MAX_SID_LENGTH} characters`;
  }
  if (seq !== undefined && !isSequence(seq)) return "seq must be a positive integer";
  if (receipt !== undefined && typeof receipt !== "boolean") return "receipt must be true or false";
  if (resent !== undefined && typeof resent !== "boolean") return "resent must be true or false";
  if (receipt === true && (sid === undefined || seq === undefined)) {
    return "receipt needs sid and seq";
  }
  return {
    sid: typeof sid === "string" ? sid : undefined,
    seq: isSequence(seq) ? seq : undefined,
    receipt: receipt === true,
    resent: resent === true,
  };
}

function isSequence(value: Json | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

/**
 * The `data` of the relay's `mail` frame (capability `delivery`): the next `count` frames from
 * peers (frames whose `from` is not `"server"`) that the relay sends the client are numbered
 * `first`, `first + 1`, and so on. Relay frames between them are not counted.
 *
 * @example
 * ```ts
 * const data: MailData = { first: 101, count: 3 };
 * ```
 */
export interface MailData {
  /** The number of the first frame that follows. */
  first: number;
  /** How many peer frames follow under consecutive numbers. */
  count: number;
  /** Frames for the name the room could not keep since it last said so; absent when none. */
  missed?: number;
}

/**
 * The `data` of a `mail` frame, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeMailData({ first: 101, count: 3 }); // { first: 101, count: 3 }
 * decodeMailData({ first: 0, count: 3 }); // undefined
 * ```
 */
export function decodeMailData(data: Json | undefined): MailData | undefined {
  if (!isJsonObject(data)) return undefined;
  const first = own(data, "first" satisfies keyof MailData);
  const count = own(data, "count" satisfies keyof MailData);
  const missed = own(data, "missed" satisfies keyof MailData);
  if (!isSequence(first) || !isCount(count)) return undefined;
  const mail: MailData = { first, count };
  if (isCount(missed) && missed > 0) mail.missed = missed;
  return mail;
}

function isCount(value: Json | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The text of a `mail` frame from the relay to `name`.
 *
 * @example
 * ```ts
 * mailText("gui", 101, 3); // {"type":"mail","data":{"first":101,"count":3},"from":"server","target":["gui"]}
 * ```
 */
export function mailText(name: string, first: number, count: number, missed = 0): string {
  const data: MailData = { first, count };
  if (missed > 0) data.missed = missed;
  return JSON.stringify({
    type: FrameType.mail,
    data: { ...data },
    from: SERVER,
    target: [name],
  });
}

/**
 * The kwargs of the `received` command a receiver with `delivery` sends the relay: it has
 * handled every peer frame numbered up to `through`.
 *
 * @example
 * ```ts
 * const kwargs: ReceivedKwargs = { through: 103 };
 * ```
 */
export interface ReceivedKwargs {
  /** The highest number handled; every lower one was handled too. */
  through: number;
}

/**
 * The kwargs of a `received` command, or `undefined` when malformed.
 *
 * @example
 * ```ts
 * decodeReceived({ through: 103 }); // { through: 103 }
 * ```
 */
export function decodeReceived(kwargs: Json | undefined): ReceivedKwargs | undefined {
  if (!isJsonObject(kwargs)) return undefined;
  const through = own(kwargs, "through" satisfies keyof ReceivedKwargs);
  return isCount(through) ? { through } : undefined;
}

/**
 * The text of the `received` command (from `name`, to `"server"`).
 *
 * @example
 * ```ts
 * receivedText("gui", 103);
 * // {"type":"cmd","data":{"cmd":"received","args":[],"kwargs":{"through":103}},"from":"gui","target":["server"]}
 * ```
 */
export function receivedText(name: string, through: number): string {
  return JSON.stringify({
    type: FrameType.command,
    data: { cmd: Command.received, args: [], kwargs: { through } },
    from: name,
    target: [SERVER],
  });
}

/**
 * What became of a frame for one target, as a `receipt` says:
 *
 * - `delivered`: handed to the socket of a receiver without `delivery` (final: at most once);
 * - `sent`: handed to the socket of a receiver with `delivery`, and kept by the room until it
 *   confirms (not final: `confirmed`, `expired` or `overflow` follows);
 * - `confirmed`: the target (with `delivery`) confirmed it handled the frame (final);
 * - `stored`: the target is away; the room keeps the frame for it (not final: `confirmed`,
 *   `expired` or `overflow` follows);
 * - `unknown`: no client holds the name, and the room keeps no mail for it (final);
 * - `refused`: a limit refused the frame for this target (final; `code` says which);
 * - `expired`: the target stayed away longer than the room's mail window (final);
 * - `overflow`: the target's or the room's mail was full (final);
 * - `uncertain`: a resend, skipped for a receiver without `delivery`: the first send may or
 *   may not have reached it (final).
 */
export type ReceiptStatus =
  | "delivered"
  | "sent"
  | "confirmed"
  | "stored"
  | "unknown"
  | "refused"
  | "expired"
  | "overflow"
  | "uncertain";

/** Every {@link ReceiptStatus}, and whether it is final. */
export const RECEIPT_STATUSES: Readonly<Record<ReceiptStatus, { final: boolean }>> = Object.freeze({
  delivered: { final: true },
  sent: { final: false },
  confirmed: { final: true },
  stored: { final: false },
  unknown: { final: true },
  refused: { final: true },
  expired: { final: true },
  overflow: { final: true },
  uncertain: { final: true },
});

/** True when `value` is a {@link ReceiptStatus}. */
export function isReceiptStatus(value: unknown): value is ReceiptStatus {
  return typeof value === "string" && Object.hasOwn(RECEIPT_STATUSES, value);
}

/**
 * The `data` of a `receipt` frame: the frame it is about (`sid`, `seq`) and a status per
 * target name. The first receipt of a frame names every target it resolved to (a `"*"`
 * resolved to the names present); later ones name the targets whose status changed.
 *
 * @example
 * ```ts
 * const data: ReceiptData = { sid: "k3J9", seq: 42, status: { gui: "confirmed", Ghost: "unknown" } };
 * ```
 */
export interface ReceiptData {
  /** The frame's stream. */
  sid: string;
  /** The frame's number in it. */
  seq: number;
  /** A status per target. */
  status: Record<string, ReceiptStatus>;
  /** For `refused`: the error code of the limit. */
  code?: string;
}

/**
 * The `data` of a `receipt` frame, or `undefined` when malformed (statuses this version does
 * not know are left out).
 *
 * @example
 * ```ts
 * decodeReceiptData({ sid: "k3J9", seq: 42, status: { gui: "stored" } });
 * ```
 */
export function decodeReceiptData(data: Json | undefined): ReceiptData | undefined {
  if (!isJsonObject(data)) return undefined;
  const sid = own(data, "sid" satisfies keyof ReceiptData);
  const seq = own(data, "seq" satisfies keyof ReceiptData);
  const status = own(data, "status" satisfies keyof ReceiptData);
  if (typeof sid !== "string" || !isSequence(seq) || !isJsonObject(status)) return undefined;
  const statuses: Record<string, ReceiptStatus> = {};
  for (const [name, value] of Object.entries(status)) {
    if (isReceiptStatus(value)) statuses[name] = value;
  }
  const receipt: ReceiptData = { sid, seq, status: statuses };
  const code = own(data, "code" satisfies keyof ReceiptData);
  if (typeof code === "string") receipt.code = code;
  return receipt;
}

/**
 * The text of a `receipt` frame from the relay to `name`.
 *
 * @example
 * ```ts
 * receiptText("A", { sid: "k3J9", seq: 42, status: { B: "delivered" } });
 * ```
 */
export function receiptText(name: string, data: ReceiptData): string {
  const payload: JsonObject = { sid: data.sid, seq: data.seq, status: { ...data.status } };
  if (data.code !== undefined) payload.code = data.code;
  return JSON.stringify({ type: FrameType.receipt, data: payload, from: SERVER, target: [name] });
}

/**
 * Receipts (capability `receipts`): the promises of `deliver()`, each waiting for the relay's
 * `receipt` frames about one frame of the client's stream until every target has a final
 * status, or its timeout. A status that is final stays: a later receipt (for a frame sent
 * again after a broken connection) does not change it. A timeout rejects with a
 * {@link ReceiptTimeoutError}, the one error of the client that no error hook gets.
 *
 * @module
 */

import {
  RECEIPT_STATUSES,
  type ReceiptData,
  type ReceiptStatus,
  WsComSrvError,
} from "wscomsrv-protocol";
import { ClientErrorCode, type DroppedFramesError } from "./errors.js";
import type { Outgoing } from "./outgoing.js";

/**
 * What became of a frame given to `deliver()`, per target: its stream (`sid`) and number
 * (`seq`), a {@link ReceiptStatus} per target name (a `"*"` target as the names it reached),
 * and for `refused` the error code of the limit.
 *
 * @example
 * ```ts
 * const receipt: Receipt = await wsc.deliver(frame);
 * for (const [name, status] of Object.entries(receipt.status)) console.log(name, status);
 * ```
 */
export interface Receipt {
  /** The client's stream id (`client.streamId`). */
  sid: string;
  /** The frame's number in that stream. */
  seq: number;
  /** A status per target. */
  status: Record<string, ReceiptStatus>;
  /** For `refused`: the error code of the limit that refused the frame. */
  code?: string;
}

/**
 * A `deliver()` promise's rejection: within its timeout, not every target of the frame had a
 * final status. {@link receipt} holds the statuses so far (targets not named yet are absent;
 * with no receipt at all, `status` is empty). Never given to the error hooks.
 *
 * @example
 * ```ts
 * try {
 *   await wsc.deliver(frame, { timeout: 5_000 });
 * } catch (error) {
 *   if (isWsComSrvError(error, "RECEIPT_TIMEOUT")) console.warn(error.receipt.status);
 * }
 * ```
 */
export class ReceiptTimeoutError extends WsComSrvError<typeof ClientErrorCode.receiptTimeout> {
  override name = "ReceiptTimeoutError";
  /** The statuses so far. */
  readonly receipt: Receipt;
  /** The timeout, in milliseconds. */
  readonly timeout: number;

  constructor(receipt: Receipt, timeout: number) {
    const pending = Object.entries(receipt.status)
      .filter(([, status]) => !RECEIPT_STATUSES[status].final)
      .map(([name]) => name);
    super(
      ClientErrorCode.receiptTimeout,
      Object.keys(receipt.status).length === 0
        ? `no receipt for frame ${receipt.seq} within ${timeout} ms`
        : `frame ${receipt.seq} has no final status for ${pending.join(", ")} within ${timeout} ms`,
    );
    this.receipt = receipt;
    this.timeout = timeout;
  }
}

/** A pending `deliver()`. */
interface Waiter {
  readonly receipt: Receipt;
  readonly resolve: (receipt: Receipt) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The pending receipts of one client, by stream number.
 *
 * @example
 * ```ts
 * const receipts = new Receipts(sender.streamId);
 * const promise = receipts.expect(7, 30_000);
 * receipts.take({ sid: sender.streamId, seq: 7, status: { B: "delivered" } }); // resolves it
 * ```
 */
export class Receipts {
  readonly #sid: string;
  readonly #waiting = new Map<number, Waiter>();

  /** @param sid - The client's stream id: receipts about other streams are ignored. */
  constructor(sid: string) {
    this.#sid = sid;
  }

  /** Receipts still awaited. */
  get pending(): number {
    return this.#waiting.size;
  }

  /**
   * A promise for the receipt of frame `seq`: resolved once every target named has a final
   * status, rejected with a {@link ReceiptTimeoutError} after `timeout` ms (`0`: never).
   */
  expect(seq: number, timeout: number): Promise<Receipt> {
    return new Promise<Receipt>((resolve, reject) => {
      const receipt: Receipt = { sid: this.#sid, seq, status: {} };
      const timer =
        timeout > 0
          ? setTimeout(() => {
              if (this.#waiting.get(seq)?.receipt !== receipt) return;
              this.#waiting.delete(seq);
              reject(new ReceiptTimeoutError(copy(receipt), timeout));
            }, timeout)
          : undefined;
      this.#waiting.set(seq, { receipt, resolve, reject, timer });
    });
  }

  /** Takes a `receipt` frame's data. */
  take(data: ReceiptData): void {
    if (data.sid !== this.#sid) return;
    const waiter = this.#waiting.get(data.seq);
    if (waiter === undefined) return;
    const { status } = waiter.receipt;
    for (const [name, next] of Object.entries(data.status)) {
      const now = status[name];
      if (now === undefined || !RECEIPT_STATUSES[now].final) status[name] = next;
    }
    if (data.code !== undefined) waiter.receipt.code ??= data.code;
    const names = Object.values(status);
    if (names.length === 0 || !names.every((value) => RECEIPT_STATUSES[value].final)) return;
    this.#settle(data.seq, waiter);
    waiter.resolve(copy(waiter.receipt));
  }

  /** Frames that asked for a receipt were dropped, never sent: their promises reject. */
  lost(frames: readonly Outgoing[], error: DroppedFramesError): void {
    for (const frame of frames) {
      if (frame.seq === undefined) continue;
      const waiter = this.#waiting.get(frame.seq);
      if (waiter === undefined) continue;
      this.#settle(frame.seq, waiter);
      waiter.reject(error);
    }
  }

  #settle(seq: number, waiter: Waiter): void {
    this.#waiting.delete(seq);
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
  }
}

function copy(receipt: Receipt): Receipt {
  return { ...receipt, status: { ...receipt.status } };
}

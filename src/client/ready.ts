/**
 * The promises of `client.ready()`: each resolves at the next identify (at once when the
 * client is identified) and rejects with the error of the final refusal when the client is
 * closed for good, or with `READY_TIMEOUT` when its timeout ends first.
 *
 * @module
 */

import { WsComSrvError } from "wscomsrv-protocol";
import { ClientErrorCode, type ReadyError } from "./errors.js";
import type { ClientState, IdentifiedInfo } from "./events.js";

interface Waiter {
  resolve(info: IdentifiedInfo): void;
  reject(error: ReadyError): void;
}

/**
 * The waiting `ready()` promises, and what the last identify and the last final close said.
 *
 * @example
 * ```ts
 * const readiness = new Readiness();
 * const ready = readiness.wait("connecting", 5_000);
 * readiness.identified({ name: "Sensor", capabilities: [], time: undefined }); // ready resolves
 * ```
 */
export class Readiness {
  #info: IdentifiedInfo | undefined;
  #final: ReadyError | undefined;
  readonly #waiters = new Set<Waiter>();

  /** The relay accepted the identify: every waiting promise resolves with `info`. */
  identified(info: IdentifiedInfo): void {
    this.#info = info;
    this.#final = undefined;
    for (const waiter of [...this.#waiters]) waiter.resolve(info);
  }

  /** The client is closed for good: every waiting promise rejects with `error`. */
  closedForGood(error: ReadyError): void {
    this.#final = error;
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }

  /**
   * A promise for the next identify, given the client's `state` now: resolved at once when
   * identified, rejected at once when closed for good.
   *
   * @param timeout - Milliseconds until it rejects with `READY_TIMEOUT`; `Infinity` waits for ever.
   */
  wait(state: ClientState, timeout: number): Promise<IdentifiedInfo> {
    if (state === "identified" && this.#info !== undefined) return Promise.resolve(this.#info);
    if (state === "closed" && this.#final !== undefined) return Promise.reject(this.#final);
    return new Promise<IdentifiedInfo>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        resolve: (info) => {
          done();
          resolve(info);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      if (Number.isFinite(timeout)) {
        timer = setTimeout(() => {
          waiter.reject(
            new WsComSrvError(
              ClientErrorCode.readyTimeout,
              `the client was not identified within ${timeout} ms (state: ${state} when ready() was called)`,
            ),
          );
        }, timeout);
      }
    });
  }
}

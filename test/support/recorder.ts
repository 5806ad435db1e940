/**
 * A recorder of an SDK client's events that can wait for a condition with a timeout, and a
 * poll for state no event announces. Imports nothing that is Node's only, so that tests inside
 * workerd use it too.
 */

import type {
  ClientError,
  ClientOptions,
  CloseInfo,
  Envelope,
  IdentifiedInfo,
  Logger,
  RelayError,
  UnconfirmedError,
  WebSocketClient,
} from "../../src/client/index.js";

const DEFAULT_TIMEOUT = 5_000;

/** Fast reconnects for tests: the first delay at most 20 ms, none longer than 200 ms. */
export const FAST: ClientOptions = { reconnectBaseDelay: 20, reconnectMaxDelay: 200 };

/** Everything a client reported, in order, and a way to wait for more. */
export class Recorder {
  readonly opens: number[] = [];
  readonly closes: CloseInfo[] = [];
  readonly errors: ClientError[] = [];
  readonly relayErrors: RelayError[] = [];
  readonly unconfirmed: UnconfirmedError[] = [];
  readonly identified: IdentifiedInfo[] = [];
  /** The client's `resumeSecret` after each identify, in step with {@link identified}. */
  readonly resumeSecrets: Array<string | undefined> = [];
  readonly messages: Envelope[] = [];
  readonly warnings: string[] = [];
  readonly #waiters = new Set<() => void>();

  /** A logger that records warnings (and errors) instead of printing them. */
  readonly logger: Logger = {
    warn: (...data) => {
      this.warnings.push(data.map(String).join(" "));
      this.wake();
    },
    error: (...data) => {
      this.warnings.push(data.map(String).join(" "));
      this.wake();
    },
  };

  /** Starts recording `client`'s events. */
  attach(client: WebSocketClient): void {
    client.on("open", () => this.#push(this.opens, Date.now()));
    client.on("close", (info) => this.#push(this.closes, info));
    client.on("error", (error) => this.#push(this.errors, error));
    client.on("relayError", (error) => this.#push(this.relayErrors, error));
    client.on("unconfirmed", (error) => this.#push(this.unconfirmed, error));
    client.on("identified", (info) => {
      this.resumeSecrets.push(client.resumeSecret);
      this.#push(this.identified, info);
    });
    client.on("message", (message) => this.#push(this.messages, message));
  }

  #push<T>(list: T[], item: T): void {
    list.push(item);
    this.wake();
  }

  /** Wakes every waiter (for conditions on state kept outside the recorder). */
  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves with `check()`'s first value that is not `undefined` or `false`. */
  until<T>(
    check: () => T | undefined | false,
    what: string,
    timeout = DEFAULT_TIMEOUT,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): void => {
        const value = check();
        if (value === undefined || value === false) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}`));
      }, timeout);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(attempt);
      };
      this.#waiters.add(attempt);
      attempt();
    });
  }

  /** Waits until `count` identifies have been recorded. */
  identifiedTimes(count: number, timeout?: number): Promise<IdentifiedInfo> {
    return this.until(
      () => this.identified.length >= count && this.identified[count - 1],
      `identify number ${count} (have ${this.identified.length})`,
      timeout,
    );
  }

  /** Waits for an error with `code`, counting from the `from`-th error. */
  error(code: string, from = 0, timeout?: number): Promise<ClientError> {
    return this.until(
      () => this.errors.slice(from).find((error) => error.code === code),
      `an error ${code} (have ${this.errors.map((e) => e.code).join(", ") || "none"})`,
      timeout,
    );
  }
}

/**
 * Resolves once `check()` holds, looking again every few milliseconds, for state no event
 * announces (a count the relay's acks lower); fails after `timeout` ms.
 */
export async function eventually(
  check: () => boolean,
  what: string,
  timeout = DEFAULT_TIMEOUT,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

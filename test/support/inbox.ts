/**
 * A test-side view of one WebSocket: every frame it receives, in order, and ways to wait for
 * the next ones with a timeout. Works with the runtime's WebSocket in workerd and with `ws`.
 */

/** The parts of a WebSocket an inbox needs (workerd's, the browser's and `ws` all have them). */
export interface EventSocket {
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A frame as a test sees it. */
export type Frame = {
  type?: unknown;
  data?: unknown;
  from?: unknown;
  target?: unknown;
  id?: unknown;
  [key: string]: unknown;
};

/** The close a socket saw. */
export interface Closed {
  code: number;
  reason: string;
}

const DEFAULT_TIMEOUT = 5_000;

/** Collects frames from a socket and hands them out in order. */
export class Inbox {
  readonly #frames: Frame[] = [];
  readonly #raw: string[] = [];
  #waiter: (() => void) | undefined;
  #closed: Closed | undefined;
  readonly socket: EventSocket;
  /** When true, a `batch` frame from the relay is taken apart into the frames it holds. */
  unwrapBatches = false;
  /**
   * When set, the inbox answers the relay's `indentify` at once with an identify under this
   * name, as a live seed client does, and keeps the question out of its frames.
   */
  answerProbesAs: string | undefined;
  /** How many of the relay's questions the inbox answered. */
  probesAnswered = 0;

  constructor(socket: EventSocket) {
    this.socket = socket;
    socket.addEventListener("message", (event) => {
      const text = typeof event.data === "string" ? event.data : String(event.data);
      this.#raw.push(text);
      const frame = JSON.parse(text) as Frame;
      const frames =
        this.unwrapBatches && frame.type === "batch" && frame.from === "server"
          ? (frame.data as Frame[])
          : [frame];
      for (const one of frames) {
        if (this.answerProbesAs !== undefined && isProbe(one)) {
          this.probesAnswered += 1;
          this.send(cmd("indentify", { name: this.answerProbesAs }, "server", this.answerProbesAs));
        } else {
          this.#frames.push(one);
        }
      }
      this.#wake();
    });
    socket.addEventListener("close", (event) => {
      this.#closed = { code: event.code, reason: event.reason };
      this.#wake();
    });
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  async #until<T>(ready: () => T | undefined, what: string, timeout: number): Promise<T> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = ready();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The raw text of the frames taken so far and pending, in order. */
  get raw(): readonly string[] {
    return this.#raw;
  }

  /** Frames received and not yet taken. */
  get pending(): readonly Frame[] {
    return this.#frames;
  }

  /** Takes the next frame, waiting for it. */
  next(timeout = DEFAULT_TIMEOUT): Promise<Frame> {
    return this.#until(() => this.#frames.shift(), "a frame", timeout);
  }

  /** Takes the next `count` frames, in order. */
  async take(count: number, timeout = DEFAULT_TIMEOUT): Promise<Frame[]> {
    await this.#until(
      () => (this.#frames.length >= count ? true : undefined),
      `${count} frames (have ${this.#frames.length})`,
      timeout,
    );
    return this.#frames.splice(0, count);
  }

  /** Waits for the close and returns its code and reason; fails if a frame is pending. */
  closed(timeout = DEFAULT_TIMEOUT): Promise<Closed> {
    return this.#until(() => this.#closed, "the close", timeout);
  }

  /** Sends a frame: objects as JSON, strings and bytes as they are. */
  send(frame: object | string | Uint8Array): void {
    this.socket.send(
      typeof frame === "string" || frame instanceof Uint8Array ? frame : JSON.stringify(frame),
    );
  }
}

/** True for the relay's `indentify` question. */
export function isProbe(frame: Frame): boolean {
  const data = frame.data as { cmd?: unknown } | undefined;
  return frame.type === "cmd" && frame.from === "server" && data?.cmd === "indentify";
}

/** A command frame as a seed client builds it. */
export function cmd(
  command: string,
  kwargs: Record<string, unknown> = {},
  target: string | string[] = "server",
  from = "",
): Frame {
  return {
    type: "cmd",
    data: { cmd: command, args: [], kwargs },
    from,
    target: typeof target === "string" ? [target] : target,
  };
}

/** The handshake a room with this epoch sends, serialised as the relay must send it. */
export function handshakeTexts(epoch: number, requiresPassword = false): [string, string] {
  return [
    `{"type":"cmd","data":{"cmd":"indentify","args":[],"kwargs":{"requires_password":${requiresPassword}}},"from":"server","target":["server"]}`,
    `{"type":"cmd","data":{"cmd":"set_time","args":[],"kwargs":{"time":${JSON.stringify(epoch)}}},"from":"server","target":["server"]}`,
  ];
}

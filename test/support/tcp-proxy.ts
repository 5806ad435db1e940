/**
 * A TCP proxy for tests, between clients and the relay: clients connect to {@link TcpProxy.url}
 * and each connection is forwarded to the relay. A test can cut one connection (both sides
 * destroyed, as a network that fails does) or stall it (nothing forwarded in one direction or
 * both, nothing closed, as a frozen peer or a congested link) and resume it later. A proxy
 * started with a {@link Delay} holds every chunk for that long in each direction, in order.
 */

import { createServer, type Server, Socket } from "node:net";

/** Which way a stall stops the bytes: towards the relay, towards the client, or both. */
export type Direction = "toRelay" | "toClient" | "both";

const DEFAULT_TIMEOUT = 5_000;

/** How long the proxy holds every chunk in each direction, in ms (default 0: none). */
export interface Delay {
  toRelay?: number;
  toClient?: number;
}

/** Forwards `from` to `to`, each chunk `ms` after it came, in order (a plain pipe for 0). */
function forward(from: Socket, to: Socket, ms: number): void {
  if (ms <= 0) {
    from.pipe(to);
    return;
  }
  // Timers of equal delay run in the order they were set: the chunks keep theirs.
  from.on("data", (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, ms);
  });
}

/** One client connection through the proxy: the client's side and the relay's side. */
export class ProxiedConnection {
  /** The socket to the client. */
  readonly client: Socket;
  /** The socket to the relay. */
  readonly relay: Socket;
  #connected = false;
  #closed = false;
  readonly #stalled = { toRelay: false, toClient: false };
  readonly #delay: Required<Delay>;

  #halfOpen = false;

  constructor(client: Socket, relay: Socket, delay: Delay = {}) {
    this.client = client;
    this.relay = relay;
    this.#delay = { toRelay: delay.toRelay ?? 0, toClient: delay.toClient ?? 0 };
  }

  /** True once both sides are gone. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes the relay sent that are waiting in this process, not forwarded to the client. */
  get heldForClient(): number {
    return this.relay.readableLength;
  }

  /** Called when the relay side is connected: forwards whatever is not stalled. */
  connected(): void {
    this.#connected = true;
    if (this.#delay.toRelay > 0 || this.#delay.toClient > 0) {
      forward(this.client, this.relay, this.#delay.toRelay);
      forward(this.relay, this.client, this.#delay.toClient);
      return;
    }
    if (!this.#stalled.toRelay) this.client.pipe(this.relay);
    if (!this.#stalled.toClient) this.relay.pipe(this.client);
  }

  /** Called when either side closed or failed. */
  gone(): void {
    this.#closed = true;
    this.client.destroy();
    // Half open: the relay's side stays as it is until the relay itself gives up on it.
    if (this.#halfOpen) return;
    this.relay.destroy();
  }

  /**
   * Cuts the client's side only: the client sees its connection reset, while the relay's
   * side stays open and silent, as after a network blip nobody told the relay about.
   */
  cutClientSide(): void {
    this.#halfOpen = true;
    this.relay.unpipe(this.client);
    this.client.unpipe(this.relay);
    this.gone();
  }

  /** Destroys both sides at once: the client and the relay each see a reset connection. */
  cut(): void {
    this.gone();
  }

  /**
   * Stops forwarding in `direction` (default both) and stops reading there, so the sender's
   * buffers fill up and it is held back, as by a peer that stopped reading. Nothing closes.
   */
  stall(direction: Direction = "both"): void {
    if (this.#delay.toRelay > 0 || this.#delay.toClient > 0) {
      throw new Error("a connection of a proxy with a delay cannot be stalled");
    }
    if (direction !== "toClient") {
      this.#stalled.toRelay = true;
      this.client.unpipe(this.relay);
      this.client.pause();
    }
    if (direction !== "toRelay") {
      this.#stalled.toClient = true;
      this.relay.unpipe(this.client);
      this.relay.pause();
    }
  }

  /** Forwards again in both directions, starting with what was held back. */
  resume(): void {
    const { toRelay, toClient } = this.#stalled;
    this.#stalled.toRelay = false;
    this.#stalled.toClient = false;
    if (!this.#connected || this.#closed) return;
    if (toRelay) this.client.pipe(this.relay);
    if (toClient) this.relay.pipe(this.client);
  }
}

/** A TCP proxy in front of the relay on a free port of 127.0.0.1. */
export class TcpProxy {
  readonly #server: Server;
  readonly #connections: ProxiedConnection[];
  readonly #waiters: Set<() => void>;
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;

  private constructor(
    server: Server,
    connections: ProxiedConnection[],
    waiters: Set<() => void>,
    port: number,
  ) {
    this.#server = server;
    this.#connections = connections;
    this.#waiters = waiters;
    this.port = port;
  }

  /**
   * Starts a proxy to `target` (for example a `SocketServer`), holding every chunk for
   * `delay` in each direction (Nagle's algorithm off, so that the delay is all there is).
   */
  static async start(target: { host: string; port: number }, delay?: Delay): Promise<TcpProxy> {
    const connections: ProxiedConnection[] = [];
    const waiters = new Set<() => void>();
    const server = createServer((downstream) => {
      const upstream = new Socket();
      const connection = new ProxiedConnection(downstream, upstream, delay);
      if (delay !== undefined) {
        downstream.setNoDelay(true);
        upstream.setNoDelay(true);
      }
      connections.push(connection);
      const gone = (): void => connection.gone();
      downstream.on("error", gone).on("close", gone);
      upstream.on("error", gone).on("close", gone);
      upstream.connect(target.port, target.host, () => connection.connected());
      for (const waiter of [...waiters]) waiter();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    return new TcpProxy(server, connections, waiters, port);
  }

  /** `ws://127.0.0.1:<port>`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Every connection made so far, oldest first, open or not. */
  get connections(): readonly ProxiedConnection[] {
    return this.#connections;
  }

  /** Resolves with connection number `index` (from 0) once it is made. */
  connection(index: number, timeout = DEFAULT_TIMEOUT): Promise<ProxiedConnection> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const connection = this.#connections[index];
        if (connection === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeout} ms waiting for proxy connection ${index}`));
      }, timeout);
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * Stalls every connection open now, in both directions, without closing anything: a
   * half-open connection, as after a network failure nobody was told about. Connections made
   * later are forwarded as usual.
   */
  blackhole(): void {
    for (const connection of this.#connections) if (!connection.closed) connection.stall("both");
  }

  /** Cuts every connection open now. */
  dropAll(): void {
    for (const connection of this.#connections) connection.cut();
  }

  /** Stops accepting and cuts every connection. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

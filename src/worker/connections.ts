/**
 * The room's connection bookkeeping: which socket holds which name. Rebuilt from the
 * runtime's list of sockets and their attachments whenever the room wakes up, so nothing here
 * lives only in memory.
 *
 * @module
 */

import { Capability, type CapabilityName } from "wscomsrv-protocol";
import { decodeSession, has, newSession, type Proof, type Session } from "./session.js";

/** A socket as the room uses it: the parts of the runtime's `WebSocket` it needs. */
export interface Socket {
  /** Sends one text frame. */
  send(message: string): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Stores the session so that it survives hibernation. */
  serializeAttachment(value: unknown): void;
  /** Reads the stored session. */
  deserializeAttachment(): unknown;
}

const RETIRED = { retired: true } as const;

function isRetiredAttachment(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && "retired" in value && value.retired === true
  );
}

/**
 * Told when a socket stops holding its name (it closed, failed, or the room retired it), in
 * the event that freed the name.
 */
export type LeaveListener<S> = (socket: S, session: Session & { name: string }) => void;

/** Names to sockets and sockets to sessions. */
export class Connections<S extends Socket = Socket> {
  readonly #byName = new Map<string, S>();
  readonly #sessions = new Map<S, Session>();
  readonly #retired = new WeakSet<S>();
  /** The identified sockets with `stamps`, so that a frame to none of them checks nothing. */
  readonly #stamping = new Set<S>();
  readonly #onLeave: LeaveListener<S> | undefined;
  #sorted: string[] | undefined;

  /**
   * Rebuilds the bookkeeping from the sockets the runtime still holds. Sockets the room was
   * closing stay retired; should two sockets name the same name, the later identify wins.
   *
   * @param onLeave - Told whenever a socket stops holding its name.
   */
  constructor(sockets: Iterable<S> = [], onLeave?: LeaveListener<S>) {
    this.#onLeave = onLeave;
    for (const socket of sockets) {
      const attachment = socket.deserializeAttachment();
      if (isRetiredAttachment(attachment)) {
        this.#retired.add(socket);
        continue;
      }
      const session = decodeSession(attachment);
      this.#sessions.set(socket, session);
      if (session.name === undefined) continue;
      if (has(session, Capability.stamps)) this.#stamping.add(socket);
      const other = this.#byName.get(session.name);
      const otherSession = other === undefined ? undefined : this.#sessions.get(other);
      if (otherSession === undefined || otherSession.identifiedAt <= session.identifiedAt) {
        this.#byName.set(session.name, socket);
      }
    }
  }

  /**
   * Forgets a socket the room is closing, for good: frames it still sends are ignored, and it
   * stays forgotten if the room hibernates before the close completes.
   */
  retire(socket: S): void {
    this.remove(socket);
    this.#retired.add(socket);
    socket.serializeAttachment(RETIRED);
  }

  /** True when the room closed or is closing this socket. */
  isRetired(socket: S): boolean {
    return this.#retired.has(socket);
  }

  /** Registers a newly accepted socket as unidentified (bound to a token's name, if any). */
  add(socket: S, boundName?: string, now = Date.now()): Session {
    const session = newSession(now, boundName);
    this.#sessions.set(socket, session);
    socket.serializeAttachment(session);
    return session;
  }

  /** The socket's session (a fresh one for a socket the room has not seen). */
  session(socket: S): Session {
    let session = this.#sessions.get(socket);
    if (session === undefined) {
      session = newSession();
      this.#sessions.set(socket, session);
    }
    return session;
  }

  /** The socket's session, if the room knows the socket (and has not retired it). */
  find(socket: S): Session | undefined {
    return this.#sessions.get(socket);
  }

  /** Stores a changed session in the socket's attachment. */
  save(socket: S, session: Session): void {
    socket.serializeAttachment(session);
  }

  /**
   * Gives `socket` the name `name`. The caller has checked that the name is free, or has
   * {@link Connections.remove | removed} the socket that held it, in the same event.
   */
  identify(
    socket: S,
    name: string,
    capabilities: CapabilityName[],
    now = Date.now(),
    proof: Proof = "none",
  ): Session {
    const session = this.session(socket);
    session.name = name;
    session.capabilities = capabilities;
    session.proof = proof;
    session.probedAt = 0;
    session.waiting = undefined;
    session.passwordTries = 0;
    session.identifiedAt = now;
    this.#byName.set(name, socket);
    this.#sorted = undefined;
    if (has(session, Capability.stamps)) this.#stamping.add(socket);
    else this.#stamping.delete(socket);
    this.save(socket, session);
    return session;
  }

  /** Forgets a socket that closed; frees its name if it held one. */
  remove(socket: S): Session | undefined {
    const session = this.#sessions.get(socket) ?? this.#closedWhileAway(socket);
    this.#sessions.delete(socket);
    this.#stamping.delete(socket);
    const name = session?.name;
    if (session !== undefined && name !== undefined && this.#byName.get(name) === socket) {
      this.#byName.delete(name);
      this.#sorted = undefined;
      this.#onLeave?.(socket, { ...session, name });
    }
    return session;
  }

  /**
   * The session of a socket that closed while the room hibernated: the runtime leaves a
   * closing socket out of the sockets the room wakes up with, but its attachment still says
   * which name it held. It held it still when no other socket does; the leave runs for it.
   */
  #closedWhileAway(socket: S): Session | undefined {
    if (this.#retired.has(socket)) return undefined;
    const attachment = socket.deserializeAttachment();
    if (isRetiredAttachment(attachment)) return undefined;
    const session = decodeSession(attachment);
    if (session.name === undefined || this.#byName.has(session.name)) return undefined;
    this.#sessions.set(socket, session);
    this.#byName.set(session.name, socket);
    return session;
  }

  /** The socket holding `name`, if any. */
  byName(name: string): S | undefined {
    return this.#byName.get(name);
  }

  /** Every identified name and its socket. */
  identified(): IterableIterator<[string, S]> {
    return this.#byName.entries();
  }

  /** Every socket and its session. */
  sessions(): IterableIterator<[S, Session]> {
    return this.#sessions.entries();
  }

  /** How many sockets the room holds, and how many of them have not identified. */
  counts(): { sockets: number; unidentified: number } {
    const sockets = this.#sessions.size;
    return { sockets, unidentified: sockets - this.#byName.size };
  }

  /** How many identified sockets have `stamps` (0: no relayed frame carries `relayTime`). */
  get stamping(): number {
    return this.#stamping.size;
  }

  /** True when `socket` holds a name with `stamps`: its relayed frames carry `relayTime`. */
  stamps(socket: S): boolean {
    return this.#stamping.has(socket);
  }

  /** How many names are held. */
  get size(): number {
    return this.#byName.size;
  }

  /** The identified names, sorted (kept between changes of the roster). */
  names(): readonly string[] {
    this.#sorted ??= [...this.#byName.keys()].sort();
    return this.#sorted;
  }
}

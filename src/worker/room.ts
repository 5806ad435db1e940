/**
 * The Room Durable Object: one per room name. A thin class the runtime needs; it builds one
 * event value per event (`SocketEvent`) and hands it to plain functions (`handleFrame`,
 * `identify`, `route`, `sweep`). What it learns from the Worker is in `room-contract.ts`.
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers";
import { Capability, CloseCode, HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE } from "wscomsrv-protocol";
import { relayConfig } from "../config/index.js";
import { AckLines } from "./acks.js";
import { CALL_RETENTION_MS, SqlCallStore } from "./call-store.js";
import { Connections } from "./connections.js";
import { close, handshakeFrames, type RoomContext, sendHandshake } from "./context.js";
import { expireMail } from "./deliver.js";
import type { Env } from "./env.js";
import { loadEpoch, loadRoomName } from "./epoch.js";
import { handleFrame } from "./frames.js";
import { endWait } from "./identify.js";
import { leave } from "./leave.js";
import { Liveness } from "./liveness.js";
import { logEvent } from "./log.js";
import { Mail } from "./mail.js";
import { SqlMailStore } from "./mail-store.js";
import { SqlNameStore } from "./name-store.js";
import { Outbox } from "./outbox.js";
import { Presence, SqlPresenceStore } from "./presence.js";
import { FailureBudget, RateLimiter } from "./rate-limit.js";
import { readUpgrade, text, upgradeHeaders } from "./room-contract.js";
import { tellPresence } from "./roster.js";
import { has } from "./session.js";
import { GoingAway } from "./shutdown.js";
import { sweep } from "./sweep.js";

/** The earlier of two times, either of which may be missing. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined || a <= b ? a : b;
}

/** How often, at most, a room prunes the names it has not seen for `nameRetentionMs`. */
const PRUNE_INTERVAL_MS = 3_600_000;

/**
 * The code that answers a client's close: its own code when it may be echoed (1000, or an
 * application's 3000-4999), otherwise 1000; none for a close without a code (1005) or
 * without a close frame (1006).
 */
function closeAnswer(code: number): number | undefined {
  if (code === CloseCode.noStatus || code === CloseCode.abnormal) return undefined;
  return code === CloseCode.normal || (code >= 3000 && code <= 4999) ? code : CloseCode.normal;
}

/** One room: its sockets, their names, and its epoch. Hibernates when idle. */
export class Room extends DurableObject<Env> {
  #room: RoomContext<WebSocket> | undefined;
  /** When the alarm is set for, as far as this instance knows. */
  #alarmAt: number | undefined;
  /** When this instance last pruned old names. */
  #prunedAt = 0;
  /** The sockets closed because the relay stops (see `shutdown.ts`). */
  readonly #goingAway = new GoingAway<WebSocket>();

  /** Answers heartbeats without waking up, and learns when its alarm is due. */
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(
      new WebSocketRequestResponsePair(HEARTBEAT_REQUEST, HEARTBEAT_RESPONSE),
    );
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = (await ctx.storage.getAlarm()) ?? undefined;
    });
  }

  /**
   * The room's state, built on first use: epoch and name from storage, policy and limits from
   * the configuration, and the name map from the sockets that survived hibernation.
   */
  #context(nameFromRequest: string | undefined): RoomContext<WebSocket> {
    if (this.#room !== undefined) return this.#room;
    const storage = this.ctx.storage;
    const name = loadRoomName(storage.kv, nameFromRequest);
    const configured = relayConfig(this.env);
    if (!configured.ok) throw new Error(`relay misconfigured: ${configured.problem}`);
    const config = { ...configured.config, limits: configured.config.limitsFor(name) };
    const password = config.policyFor(name) === "password" ? config.password : undefined;
    const epoch = loadEpoch(storage.kv);
    const acks = new AckLines<WebSocket>((ws, id) => {
      const session = connections.find(ws);
      if (session?.name === undefined) return;
      this.#context(undefined).outbox.ack(ws, session.name, id);
    });
    const mail = new Mail<WebSocket>(new SqlMailStore(storage.sql), config.limits, {
      settle: (ticket) => acks.settle(ticket),
      spilled: () => this.#context(undefined).outbox.flush(),
    });
    const presence = new Presence<WebSocket>(
      new SqlPresenceStore(storage.sql),
      config.limits.mailWindowMs,
    );
    const connections = new Connections(this.ctx.getWebSockets(), (socket, session) =>
      leave(this.#context(undefined), socket, session, Date.now()),
    );
    const handshake = handshakeFrames(password !== undefined, epoch);
    this.#room = {
      name,
      epoch,
      password,
      limits: config.limits,
      connections,
      outbox: new Outbox({
        sessionOf: (ws) => connections.find(ws),
        beforeFlush: () => {
          const room = this.#context(undefined);
          tellPresence(room, Date.now());
          mail.commit();
        },
        markFor: (ws) => mail.markFor(ws),
        retire: (ws) => {
          logEvent(name, "timeout", { name: connections.find(ws)?.name, reason: "not reading" });
          connections.retire(ws);
        },
        probe: handshake[0],
        limits: config.limits,
      }),
      names: new SqlNameStore(storage.sql),
      mail,
      acks,
      presence,
      calls: new SqlCallStore(storage.sql),
      rateLimiter: new RateLimiter(config.limits),
      handshake,
      scheduleSweep: (deadline) => this.#armAlarm(deadline),
      liveness: new Liveness({
        sessions: () => connections.sessions(),
        lastHeartbeat: (ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime(),
        timeoutMs: config.limits.heartbeatTimeoutMs,
        onDead: (ws) => {
          const room = this.#context(undefined);
          logEvent(name, "timeout", {
            name: connections.find(ws)?.name,
            reason: "heartbeat timeout",
          });
          close(room, ws, CloseCode.heartbeatTimeout, "heartbeat timeout");
        },
      }),
      passwordFailures: new FailureBudget(config.limits.passwordFailuresPerMinute),
    };
    for (const [ws, session] of connections.sessions()) {
      if (session.name === undefined) continue;
      if (has(session, Capability.delivery)) mail.resume(ws, session.name);
      if (has(session, Capability.presence)) presence.watch(ws, session.name);
    }
    const now = Date.now();
    mail.settle(now);
    presence.settle(now, (held) => connections.byName(held) !== undefined);
    const expiry = earliest(mail.nextExpiry(), presence.nextExpiry());
    if (expiry !== undefined) this.#armAlarm(expiry);
    return this.#room;
  }

  #armAlarm(deadline: number): void {
    if (this.#alarmAt !== undefined && this.#alarmAt <= deadline) return;
    this.#alarmAt = deadline;
    void this.ctx.storage.setAlarm(deadline);
  }

  /** Accepts a WebSocket upgrade (the Worker has checked the room, origin, upgrade and token). */
  override async fetch(request: Request): Promise<Response> {
    const forwarded = readUpgrade(request);
    const room = this.#context(forwarded.room);
    const { sockets, unidentified } = room.connections.counts();
    if (sockets >= room.limits.maxConnections) {
      return text(503, `room "${room.name}" is full (${room.limits.maxConnections} sockets)`);
    }
    if (unidentified >= room.limits.maxUnidentified) {
      return text(429, `room "${room.name}" has too many sockets waiting to identify`);
    }
    const now = Date.now();
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const session = room.connections.add(server, forwarded.boundName, now);
    sendHandshake({ room, socket: server, session, now });
    room.outbox.flush();
    room.scheduleSweep(now + room.limits.identifyTimeoutMs);
    logEvent(room.name, "connect");
    this.#pruneNames(room, now);
    return new Response(null, { status: 101, webSocket: client, headers: upgradeHeaders(request) });
  }

  /**
   * Hands every frame of a socket it has not retired to {@link handleFrame}, in one event
   * value; an exception closes only that socket.
   */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const room = this.#context(undefined);
    try {
      if (!room.connections.isRetired(ws)) {
        const session = room.connections.session(ws);
        handleFrame({ room, socket: ws, session, now: Date.now() }, message);
      }
    } catch (error) {
      console.error(`room ${room.name}: frame handler failed`, error);
      close(room, ws, CloseCode.internalError, "internal error");
    } finally {
      room.outbox.flush();
    }
  }

  /**
   * Frees the name of a socket that closed and completes the close handshake. A close
   * without a code (1005) or without a close frame (1006) is not answered: there is no
   * handshake to complete, and answering it can fail after this handler returns.
   */
  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    const room = this.#context(undefined);
    // A client answering the relay's own going-away close did not say goodbye: it is away.
    if (!this.#goingAway.gone(ws)) room.presence.closing(ws, code);
    const session = room.connections.remove(ws);
    if (session?.name !== undefined) room.names.touch(session.name, Date.now());
    logEvent(room.name, "close", { name: session?.name, code });
    room.outbox.forget(ws, closeAnswer(code));
    room.outbox.flush(); // what the leave sent others (a call's TARGET_LEFT)
  }

  /** Frees the name of a socket that failed, and forgets the socket for good. */
  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.#goingAway.gone(ws);
    const room = this.#context(undefined);
    const session = room.connections.find(ws);
    room.connections.retire(ws);
    room.outbox.forget(ws);
    room.outbox.flush();
    if (session?.name !== undefined) room.names.touch(session.name, Date.now());
    logEvent(room.name, "error", { name: session?.name, message: String(error) });
  }

  /**
   * The relay stops: closes every socket with 1001 and resolves once the clients answered
   * (at most 500 ms), with how many sockets there were. Called by the local server over RPC.
   */
  goAway(): Promise<number> {
    return this.#goingAway.start(this.#context(undefined));
  }

  /** Forgets names not seen for `nameRetentionMs`, at most once an hour per instance. */
  #pruneNames(room: RoomContext<WebSocket>, now: number): void {
    if (now - this.#prunedAt < PRUNE_INTERVAL_MS) return;
    this.#prunedAt = now;
    room.names.prune(
      now - room.limits.nameRetentionMs,
      (name) => room.connections.byName(name) !== undefined,
    );
    room.calls.prune(now - CALL_RETENTION_MS);
    room.mail.prune();
  }

  /**
   * Ends the waits for held names that are due, and closes sockets that did not identify in
   * time or whose heartbeats stopped.
   */
  override async alarm(): Promise<void> {
    const room = this.#context(undefined);
    const now = Date.now();
    const found = sweep(room.connections.sessions(), room.liveness.lastHeartbeat, room.limits, now);
    for (const socket of found.waits) {
      // A socket an earlier wait closed is gone.
      const session = room.connections.find(socket);
      if (session !== undefined) endWait({ room, socket, session, now });
    }
    const expire = (ws: WebSocket, code: number, reason: string) => {
      logEvent(room.name, "timeout", { name: room.connections.session(ws).name, reason });
      close(room, ws, code, reason);
    };
    for (const ws of found.unidentified) expire(ws, CloseCode.identifyTimeout, "identify timeout");
    for (const ws of found.silent) expire(ws, CloseCode.heartbeatTimeout, "heartbeat timeout");
    room.presence.expire(now);
    const expiry = earliest(expireMail(room, now), room.presence.nextExpiry());
    room.outbox.flush();
    this.#alarmAt = undefined;
    const next = earliest(found.next, expiry);
    if (next !== undefined) this.#armAlarm(next);
  }
}

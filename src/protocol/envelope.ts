/**
 * The envelope: the one JSON object every text frame carries, and the names the wire uses.
 *
 * Nothing outside this module spells a field name, a frame type or a command name.
 *
 * @module
 */

/** A JSON value, as it arrives from `JSON.parse`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** The relay's own name: frames from the relay carry it in `from`, and it addresses the relay. */
export const SERVER = "server";

/** In a target list, every identified client in the room except the sender. */
export const EVERYONE = "*";

/** The frame types the protocol itself uses. Applications may use any other type. */
export const FrameType = {
  /** A command: `data` is a {@link CommandData}. */
  command: "cmd",
  /** A log line with a level, as built by `levelMessage` and `simpleMessage`. */
  message: "message",
  /** One data point of a named series, as built by `dataPointMessage`. */
  data: "data",
  /** An error report from the relay (extension; only to clients with the `errors` capability). */
  error: "error",
  /**
   * Several frames in one (extension, capability `batch`): `data` is the list of envelopes.
   * From a client it targets `"server"`; from the relay it comes from `"server"`.
   */
  batch: "batch",
  /** The relay took the frame or batch with this id (extension, capability `acks`). */
  ack: "ack",
  /**
   * What became of a frame that asked for a receipt, per target (extension, capability
   * `receipts`): see `ReceiptData`.
   */
  receipt: "receipt",
  /** The answer to a call (extension, capability `calls`): see `ReplyData`. */
  reply: "reply",
  /**
   * The numbers of the peer frames that follow it (extension, capability `delivery`): see
   * `MailData`.
   */
  mail: "mail",
  /**
   * A change of the room's roster (extension, capability `presence`): see `PresenceData`.
   */
  presence: "presence",
} as const;

/**
 * The commands of the protocol. `indentify` is the seed's spelling and is what the relay sends;
 * it accepts `identify` from clients as well.
 */
export const Command = {
  /** Relay to client: please identify. Client to relay: this is who I am. */
  identify: "indentify",
  /** Accepted from clients as a synonym of {@link Command.identify}. */
  identifyAlias: "identify",
  /** Relay to client: the room's epoch, in `kwargs.time`. */
  setTime: "set_time",
  /** Relay to client: the password was wrong; the handshake follows again. */
  passwordReset: "password_reset",
  /** Relay to client (extension): the identify was accepted; see {@link IdentifiedKwargs}. */
  identified: "identified",
  /** Client to relay (extension): answered by {@link Command.pong} with the relay's clock. */
  ping: "ping",
  /** Relay to client (extension): the answer to {@link Command.ping}. */
  pong: "pong",
  /** Client to relay (extension): answered by {@link Command.clients} with the names present. */
  listClients: "list_clients",
  /** Relay to client (extension): the answer to {@link Command.listClients}. */
  clients: "clients",
  /** The seed's "stop the server" command. Refused: no client may shut a shared room. */
  closeSocket: "close_socket",
  /**
   * Client to relay (extension, capability `delivery`): every peer frame numbered up to
   * `kwargs.through` was handled; see `ReceivedKwargs`.
   */
  received: "received",
  /**
   * Client to relay (extension, capability `presence`): a page of the roster, answered by
   * {@link Command.members}; kwargs `after` and `limit` as for `list_clients`.
   */
  roster: "roster",
  /** Relay to client (extension): the answer to {@link Command.roster}; see `RosterPage`. */
  members: "members",
} as const;

/** The `target` field: one name, or a list of names. */
export type Target = string | string[];

/** The `data` of a command frame. */
export interface CommandData {
  /** The command's name. */
  cmd: string;
  /** Positional arguments. */
  args: Json[];
  /** Keyword arguments. */
  kwargs: JsonObject;
}

/**
 * One frame, as decoded. `id` is the optional message id extension: a string or a
 * non-negative integer, passed through untouched and echoed in error references.
 * Unknown extension fields are kept in `extra` and forwarded.
 */
export interface Envelope {
  /** `"cmd"` for a command, otherwise the application's own type. */
  type: string;
  /** The payload; for commands a {@link CommandData}. Absent when the sender left it out. */
  data?: Json;
  /** The sender's name (the relay overwrites it with the identified name). */
  from?: string;
  /** Where the frame goes, always normalised to a list. */
  target: string[];
  /** Optional message id (extension). */
  id?: string | number;
}

/** A decoded command frame. */
export interface CommandEnvelope extends Envelope {
  type: typeof FrameType.command;
  data: CommandData & JsonObject;
}

/** True when the envelope is a command with validated {@link CommandData}. */
export function isCommand(envelope: Envelope): envelope is CommandEnvelope {
  return envelope.type === FrameType.command;
}

/** Capabilities a client can ask for in its identify kwargs (`capabilities: [...]`). */
export const Capability = {
  /** Receive `type: "error"` frames for anything the relay refused. */
  errors: "errors",
  /** Receive an `UNDELIVERED` error frame naming targets that were not connected. */
  undelivered: "undelivered",
  /**
   * Receive a resume secret in `identified`; presenting it in a later identify (kwarg
   * `resume`) takes the name back from a socket that still holds it.
   */
  resume: "resume",
  /**
   * The client sends {@link HEARTBEAT_REQUEST} regularly; the relay answers it without waking
   * the room, and frees the name of a socket whose heartbeats stop.
   */
  heartbeat: "heartbeat",
  /**
   * The client may send `batch` frames, and the relay delivers several frames for the client
   * from one event as one `batch` frame.
   */
  batch: "batch",
  /**
   * The relay answers every frame or batch that carries an `id` with an `ack` of that id once
   * it has taken it (routed it, or refused it with an error frame).
   */
  acks: "acks",
  /**
   * The client answers calls (frames with a `call` field) with `reply` frames, and gets the
   * relay's own replies to its calls at once when the target cannot answer. Calls to a client
   * without it are refused by the relay at once.
   */
  calls: "calls",
  /**
   * A frame with `"receipt": true` (and `sid` and `seq`) is answered with `receipt` frames:
   * one status per target, until each is final.
   */
  receipts: "receipts",
  /**
   * Exactly-once delivery per name: the relay numbers the peer frames it sends the client
   * (`mail` frames), keeps them in the room's storage until the client confirms them
   * (`received`), and keeps frames for the name while it is away, for the room's mail window.
   */
  delivery: "delivery",
  /**
   * The room's roster in `identified` and a `presence` frame for every change: a name joins,
   * is away (its connection went, it may come back within the room's mail window), is back,
   * moved to a new connection (a takeover), leaves.
   */
  presence: "presence",
  /**
   * Every frame from a peer carries `relayTime`: when the relay received it, in milliseconds
   * since 1970 on the relay's clock, written by the relay (a sender's own is replaced).
   */
  stamps: "stamps",
} as const;

/** The exact text of a heartbeat a client sends (answered by the runtime, not the room). */
export const HEARTBEAT_REQUEST = '{"type":"heartbeat"}';

/** The exact text the relay answers a {@link HEARTBEAT_REQUEST} with. */
export const HEARTBEAT_RESPONSE = '{"type":"heartbeat","from":"server"}';

/** The WebSocket subprotocol the relay answers with when a client offers it. */
export const SUBPROTOCOL = "wscomsrv";

/** Prefix of the subprotocol that carries a token: `wscomsrv.token.<token>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = "wscomsrv.token.";

/** The query parameter that may carry a token instead: `?token=<token>`. */
export const TOKEN_QUERY_PARAMETER = "token";

/** The query parameter that asks for `permessage-deflate` compression: `?deflate=1`. */
export const DEFLATE_QUERY_PARAMETER = "deflate";

/** One of {@link Capability}. */
export type CapabilityName = (typeof Capability)[keyof typeof Capability];

/** The keyword arguments of the identify command a client sends. */
export const IdentifyField = {
  /** The name to identify as. */
  name: "name",
  /** The room password, where the room needs one. */
  password: "password",
  /** The extension capabilities the client asks for (array of strings). */
  capabilities: "capabilities",
  /** The resume secret from an earlier `identified` (capability `resume`). */
  resume: "resume",
} as const;

/** The kwargs of the relay's `identified` command (sent only to clients that asked for a capability). */
export interface IdentifiedKwargs {
  /** The name the client now holds. */
  name: string;
  /** The capabilities granted (those asked for that the relay knows). */
  capabilities: CapabilityName[];
  /** The room's epoch, the same value as in `set_time`. */
  time: number;
  /** The resume secret for this name (only with the `resume` capability). */
  resume?: string;
  /** The largest frame the relay takes, in UTF-8 bytes (its `maxFrameBytes`). */
  maxFrameBytes?: number;
  /** The name's mail (only with the `delivery` capability granted). */
  mail?: IdentifiedMail;
  /** The first page of the room's roster (only with the `presence` capability granted). */
  roster?: RosterPage;
}

/** A member's state in the roster: `here` (a socket holds the name) or `away`. */
export type MemberState = "here" | "away";

/**
 * One member of a room's roster.
 *
 * @example
 * ```ts
 * const member: Member = { name: "gui", state: "here", since: 1795667433606 };
 * ```
 */
export interface Member {
  /** The name. */
  name: string;
  /** Here, or away (its connection went; it may come back within the room's mail window). */
  state: MemberState;
  /** Since when it is in that state, in milliseconds since 1970 on the relay's clock. */
  since: number;
}

/**
 * A page of the roster: members sorted by name, and the name to ask `after` for the next page
 * when more remain.
 *
 * @example
 * ```ts
 * const page: RosterPage = { members: [{ name: "gui", state: "here", since: 1795667433606 }] };
 * ```
 */
export interface RosterPage {
  /** The members of the page. */
  members: Member[];
  /** The `after` of the next page; absent on the last. */
  next?: string;
}

/**
 * The state of a name's mail, in `identified` (capability `delivery`).
 *
 * @example
 * ```ts
 * const mail: IdentifiedMail = { window: 120_000, confirmed: 41, next: 57, missed: 0 };
 * ```
 */
export interface IdentifiedMail {
  /** How long, in milliseconds, the room keeps frames for the name while it is away. */
  window: number;
  /** The highest number the name has confirmed (`received`); its mail up to it is gone. */
  confirmed: number;
  /** The number the next new peer frame for the name will get. */
  next: number;
  /**
   * Frames for the name the room could not keep since it last told it (expired while away,
   * or over the mailbox bounds); 0 when none.
   */
  missed: number;
}

/** The `data` of an error frame from the relay. */
export interface ErrorData {
  /** A stable code from {@link ErrorCode}. */
  code: string;
  /** A sentence for humans. */
  message: string;
  /** What the offending frame was, as far as the relay could tell. */
  ref: FrameRef;
  /** For `UNDELIVERED`: the targets that were not connected. */
  targets?: string[];
}

/** A reference to the frame an error is about. */
export interface FrameRef {
  /** The frame's `id`, when it had one. */
  id?: string | number;
  /** The frame's `type`, when it could be read. */
  type?: string;
  /** The command name, for command frames. */
  cmd?: string;
  /** The first characters of a frame that could not be decoded. */
  excerpt?: string;
}

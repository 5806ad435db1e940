/**
 * The identify handshake: answering the relay's `indentify` with the name, the password, the
 * capabilities asked for and the resume secret; the relay's `identified` answer (what it
 * granted, the resume secret for next time); `set_time`; the wait for an `identified` that a
 * server without extensions never sends; and the identify the relay asks for again in the
 * middle of a session, to check that the name's holder is alive.
 *
 * @module
 */

import {
  type CapabilityName,
  Command,
  commandMessage,
  decodeIdentified,
  decodeSetTime,
  type IdentifiedMail,
  IdentifyField,
  type JsonObject,
  type RosterPage,
  SERVER,
} from "wscomsrv-protocol";
import { malformed } from "./dispatch.js";
import type { ClientEmitter } from "./emitter.js";
import { notFromRelay } from "./errors.js";
import type { CommandContext, MessageContext } from "./events.js";
import type { ConnectionPart, Lifecycle } from "./lifecycle.js";
import type { ResolvedOptions } from "./options.js";
import type { Connection } from "./transport.js";

/**
 * The handshake of one client, on each of its connections in turn.
 *
 * @example
 * ```ts
 * const handshake = new Handshake("Sensor", options, emitter, lifecycle);
 * lifecycle.attach(handshake);
 * dispatcher.commands.add("indentify", (_kwargs, context) => handshake.answer(context));
 * ```
 */
export class Handshake implements ConnectionPart {
  /** The room password sent with every identify; may be changed between connects. */
  password: string | undefined;
  /** The room's epoch in seconds since 1970, from `set_time` or `identified`. */
  time: number | undefined = undefined;
  readonly #name: string;
  readonly #options: ResolvedOptions;
  readonly #emitter: ClientEmitter;
  readonly #lifecycle: Lifecycle;
  #granted: CapabilityName[] = [];
  #resume: string | undefined;
  /** Identifies sent on this connection that asked for an `identified` answer not come yet. */
  #unanswered = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    name: string,
    options: ResolvedOptions,
    emitter: ClientEmitter,
    lifecycle: Lifecycle,
  ) {
    this.#name = name;
    this.#options = options;
    this.#emitter = emitter;
    this.#lifecycle = lifecycle;
    this.password = options.password;
    this.#resume = options.resume;
  }

  /** The capabilities the relay granted on this connection (empty until identified). */
  get granted(): readonly CapabilityName[] {
    return this.#granted;
  }

  /** The resume secret presented at the next identify. */
  get resume(): string | undefined {
    return this.#resume;
  }

  opening(): void {
    this.#granted = [];
    this.#unanswered = 0;
  }

  identified(): void {
    this.#clearTimer();
  }

  ended(): undefined {
    this.#clearTimer();
    this.#granted = [];
    return undefined;
  }

  /** Answers the relay's `indentify`, also when it asks again while identified. */
  answer(context: CommandContext): void {
    if (context.sender !== SERVER) {
      this.#emitter.fail(notFromRelay(context.command, context.sender));
      return;
    }
    const connection = this.#lifecycle.connection;
    if (connection === undefined) return;
    const kwargs: JsonObject = { [IdentifyField.name]: this.#name };
    if (this.password !== undefined) kwargs[IdentifyField.password] = this.password;
    const asked = this.#options.capabilities;
    if (asked.length > 0) kwargs[IdentifyField.capabilities] = [...asked];
    if (this.#resume !== undefined) kwargs[IdentifyField.resume] = this.#resume;
    this.#lifecycle.send(
      connection,
      JSON.stringify(commandMessage(Command.identify, this.#name, SERVER, kwargs)),
    );
    if (asked.length > 0) this.#unanswered += 1;
    // Asked again while identified: the relay checks that this connection is alive, before it
    // gives the name to a newcomer. The answer is all it needs; nothing else changes.
    if (this.#lifecycle.phase.state === "identified") return;
    // Without capabilities the relay sends no acknowledgement: count the identify as done.
    if (asked.length === 0) this.#accept(connection, []);
    else this.#await(connection);
  }

  /** Takes the relay's `set_time`. */
  storeTime(kwargs: JsonObject, context: CommandContext): void {
    if (context.sender !== SERVER) {
      this.#emitter.fail(notFromRelay(context.command, context.sender));
      return;
    }
    const decoded = decodeSetTime(kwargs);
    if (decoded === undefined)
      this.#emitter.fail(malformed(context.message, "set_time needs a numeric time"));
    else this.time = decoded.time;
  }

  /** Takes the relay's `identified` answer. */
  answered(kwargs: JsonObject, context: MessageContext): void {
    const connection = this.#lifecycle.connection;
    if (connection === undefined) return;
    const identified = this.#lifecycle.phase.state === "identified";
    const expected = this.#unanswered > 0;
    if (expected) this.#unanswered -= 1;
    if (identified && !expected) {
      // Late, after identifiedTimeout took the server for one without extensions.
      this.#options.logger.warn(
        `${this.#name}: "identified" came after identifiedTimeout; ignored`,
      );
      return;
    }
    const info = decodeIdentified(kwargs);
    if (info === undefined || info.name !== this.#name) {
      this.#emitter.fail(malformed(context.message, `"identified" must name ${this.#name}`));
      return;
    }
    if (identified) {
      // The answer to an identify sent while identified: the name is still this client's.
      if (info.resume !== undefined) this.#resume = info.resume;
      return;
    }
    this.time = info.time;
    this.#resume = info.resume;
    this.#accept(connection, info.capabilities, info.mail, info.roster);
  }

  /**
   * Waits `identifiedTimeout` for the relay's `identified`; a server that never sends one
   * (the seed's) is taken for one without extensions.
   */
  #await(connection: Connection): void {
    this.#clearTimer();
    const timeout = this.#options.identifiedTimeout;
    if (timeout === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#lifecycle.connection !== connection) return;
      if (this.#lifecycle.phase.state === "identified") return;
      this.#unanswered = 0;
      this.#options.logger.warn(
        `${this.#name}: no "identified" answer within ${timeout} ms; taking the server for one without extensions`,
      );
      this.#accept(connection, []);
    }, timeout);
  }

  #accept(
    connection: Connection,
    capabilities: readonly CapabilityName[],
    mail?: IdentifiedMail,
    roster?: RosterPage,
  ): void {
    this.#granted = [...capabilities];
    this.#lifecycle.identified(
      connection,
      { name: this.#name, capabilities: [...capabilities], time: this.time },
      mail,
      roster,
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

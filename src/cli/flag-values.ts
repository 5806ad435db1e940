/**
 * The values of `wscomsrv`'s flags, decoded and checked with the relay's own rules
 * (`src/config`, the wire module's name checks): a bad one is a {@link UsageError} naming the
 * flag (or the environment variable it came from). Messages quote what was given, except
 * secrets, which they never show.
 *
 * @module
 */

import {
  checkName,
  checkRoomName,
  DEFAULT_LIMITS,
  isLimitName,
  type Limits,
} from "wscomsrv-protocol";
import { isKeyId } from "../auth/token.js";
import {
  type Checked,
  checkTokenSecret,
  decodeLimits,
  decodeOrigins,
  decodePolicy,
  decodeRoomLimits,
  decodeTokenKeys,
  type PolicySetting,
  type RoomLimits,
  type RoomLimitsSetting,
} from "../config/index.js";

/**
 * A command line that cannot be run; the message says why, and never holds a secret or a
 * token. `wscomsrv` prints it and exits with status 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The value of a check, or its problem as a {@link UsageError}. */
function orUsageError<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new UsageError(checked.problem);
  return checked.value;
}

/** A port, 0 to 65535. */
export function portNumber(flag: string, text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new UsageError(`${flag} must be a number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** The value, unless it is empty; `takes` says what the flag takes, for the message. */
export function nonEmpty(
  flag: string,
  value: string | undefined,
  takes?: string,
): string | undefined {
  if (value === "") {
    throw new UsageError(
      `${flag} must not be empty${takes === undefined ? "" : `: give ${takes}`}`,
    );
  }
  return value;
}

/** `open`, `password`, `token`, or a JSON object of them by room pattern. */
export function roomPolicy(flag: string, text: string): PolicySetting {
  return orUsageError(decodePolicy(text, flag));
}

/** Token signing secrets by key id, as JSON `{"k1": "secret"}`; `source` is where it came from. */
export function tokenKeys(source: string, text: string): Record<string, string> {
  return orUsageError(decodeTokenKeys(text, source));
}

/** A key id: 1 to 32 of `A-Z a-z 0-9 _ -`. */
export function keyId(flag: string, text: string): string {
  if (!isKeyId(text)) {
    throw new UsageError(`${flag} must be 1 to 32 of A-Z a-z 0-9 _ -, got ${JSON.stringify(text)}`);
  }
  return text;
}

/** A token secret of at least 32 bytes of UTF-8; `what` names where it came from. */
export function tokenSecret(what: string, secret: string): string {
  return orUsageError(checkTokenSecret(secret, what));
}

/** Origins (`scheme://host[:port]`, or `null`), separated by commas or spaces. */
export function origins(flag: string, text: string): string[] {
  return orUsageError(decodeOrigins(text, flag));
}

/** Limits as JSON, checked with the relay's rules; returns those that differ from the defaults. */
export function limits(flag: string, text: string): RoomLimits {
  const parsed = orUsageError(decodeLimits(text, flag));
  const overrides: RoomLimits = {};
  for (const name of Object.keys(parsed)) {
    if (isLimitName(name) && parsed[name] !== DEFAULT_LIMITS[name]) overrides[name] = parsed[name];
  }
  return overrides;
}

/**
 * Limits by room pattern as JSON, each entry checked with the relay's rules over `base` (the
 * limits every room has); returns the entries as given.
 */
export function roomLimits(flag: string, text: string, base: Readonly<Limits>): RoomLimitsSetting {
  return orUsageError(decodeRoomLimits(text, base, flag));
}

/** A room name, as in `ws://HOST/<room>`. */
export function roomName(flag: string, text: string): string {
  const problem = checkRoomName(text);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}`);
  return text;
}

/** A client name, as a client identifies. */
export function clientName(flag: string, text: string): string {
  const problem = checkName(text);
  if (problem !== undefined) throw new UsageError(`${flag}: ${problem}`);
  return text;
}

/** A whole number of seconds, at least 1 and at most `max`. */
export function seconds(flag: string, text: string, max: number): number {
  const value = /^\d{1,12}$/.test(text) ? Number(text) : 0;
  if (value < 1 || value > max) {
    throw new UsageError(
      `${flag} must be a whole number of seconds from 1 to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * A time in whole seconds since 1970, after `now` (milliseconds since 1970) and at most
 * `maxAhead` seconds after it.
 */
export function futureTime(flag: string, text: string, now: number, maxAhead: number): number {
  const value = /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
  const nowSeconds = Math.floor(now / 1000);
  if (Number.isNaN(value)) {
    throw new UsageError(
      `${flag} must be a time in whole seconds since 1970, like ${nowSeconds + 3_600} (in an hour), got ${JSON.stringify(text)}`,
    );
  }
  if (value * 1000 <= now) {
    throw new UsageError(
      `${flag} ${text} is in the past (now is ${nowSeconds}): give a later time, or --ttl SECONDS`,
    );
  }
  if (value - nowSeconds > maxAhead) {
    throw new UsageError(
      `${flag} ${text} is more than ${maxAhead} seconds from now (now is ${nowSeconds}): give at most ${nowSeconds + maxAhead}`,
    );
  }
  return value;
}

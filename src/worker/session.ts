/**
 * What the room knows about one socket. It lives in the socket's attachment, so that it
 * survives hibernation, and is decoded (never cast) when the room wakes up.
 *
 * @module
 */

import { Capability, type CapabilityName, isJsonObject, own } from "../protocol/index.js";

/** One socket's state. */
export interface Session {
  /** The identified name; `undefined` until the identify is accepted. */
  name: string | undefined;
  /** The capabilities granted at identify. */
  capabilities: CapabilityName[];
  /** Wrong passwords so far. */
  passwordTries: number;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(Capability));

/** True when `value` names a capability the relay knows. */
export function isCapability(value: unknown): value is CapabilityName {
  return typeof value === "string" && KNOWN.has(value);
}

/** A fresh, unidentified session. */
export function newSession(): Session {
  return { name: undefined, capabilities: [], passwordTries: 0 };
}

/** Decodes an attachment written by {@link Session}; anything unreadable is a fresh session. */
export function decodeSession(attachment: unknown): Session {
  const session = newSession();
  if (!isJsonObject(attachment)) return session;
  const name = own(attachment, "name");
  if (typeof name === "string") session.name = name;
  const capabilities = own(attachment, "capabilities");
  if (Array.isArray(capabilities)) session.capabilities = capabilities.filter(isCapability);
  const tries = own(attachment, "passwordTries");
  if (typeof tries === "number") session.passwordTries = tries;
  return session;
}

/** True when the session was granted `capability`. */
export function has(session: Session, capability: CapabilityName): boolean {
  return session.capabilities.includes(capability);
}

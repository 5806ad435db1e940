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
  /** The name the socket's token grants: the only one it may identify as. */
  boundName: string | undefined;
  /** When the socket was accepted, in milliseconds since 1970. */
  acceptedAt: number;
  /** When the socket identified, in milliseconds since 1970 (0 before). */
  identifiedAt: number;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(Capability));

/** True when `value` names a capability the relay knows. */
export function isCapability(value: unknown): value is CapabilityName {
  return typeof value === "string" && KNOWN.has(value);
}

/** A fresh, unidentified session. */
export function newSession(now = Date.now(), boundName?: string): Session {
  return {
    name: undefined,
    capabilities: [],
    passwordTries: 0,
    boundName,
    acceptedAt: now,
    identifiedAt: 0,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Decodes an attachment written by {@link Session}; anything unreadable is a fresh session. */
export function decodeSession(attachment: unknown): Session {
  const session = newSession(0);
  if (!isJsonObject(attachment)) return session;
  session.name = text(own(attachment, "name"));
  const capabilities = own(attachment, "capabilities");
  if (Array.isArray(capabilities)) session.capabilities = capabilities.filter(isCapability);
  session.passwordTries = count(own(attachment, "passwordTries"));
  session.boundName = text(own(attachment, "boundName"));
  session.acceptedAt = count(own(attachment, "acceptedAt"));
  session.identifiedAt = count(own(attachment, "identifiedAt"));
  return session;
}

/** True when the session was granted `capability`. */
export function has(session: Session, capability: CapabilityName): boolean {
  return session.capabilities.includes(capability);
}

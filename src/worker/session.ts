/**
 * What the room knows about one socket. It lives in the socket's attachment, so that it
 * survives hibernation, and is decoded (never cast) when the room wakes up.
 *
 * @module
 */

import { Capability, type CapabilityName, isJsonObject, own } from "wscomsrv-protocol";

/**
 * How a socket proved it may hold its name, strongest first: a token for the name, the name's
 * resume secret, or nothing (the name was free, or its holder did not answer). A proof
 * displaces a holder only if it is at least as strong as the holder's ({@link outranks}).
 */
export type Proof = "token" | "secret" | "none";

const PROOF_RANK: Record<Proof, number> = { token: 2, secret: 1, none: 0 };

/**
 * True when a newcomer with proof `newcomer` may take the name from a holder that took it
 * with `holder`: a token beats everything, a resume secret beats a secret or nothing, and
 * nothing never displaces a holder.
 */
export function outranks(newcomer: Proof, holder: Proof): boolean {
  return newcomer !== "none" && PROOF_RANK[newcomer] >= PROOF_RANK[holder];
}

function isProof(value: unknown): value is Proof {
  return value === "token" || value === "secret" || value === "none";
}

/** A newcomer waiting while the room asks the holder of its name whether it is still there. */
export interface Waiting {
  /** The name it asked for. */
  name: string;
  /** The capabilities it asked for. */
  capabilities: CapabilityName[];
  /** When the wait ends, in milliseconds since 1970. */
  until: number;
}

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
  /** How the socket proved it may hold its name (`"none"` before it identified). */
  proof: Proof;
  /**
   * When the room asked this socket, which holds a name someone else asked for, whether it is
   * still there; 0 when no question is open (never asked, or it answered with any frame).
   */
  probedAt: number;
  /** The name this socket waits for, while its holder is asked; `undefined`: not waiting. */
  waiting: Waiting | undefined;
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
    proof: "none",
    probedAt: 0,
    waiting: undefined,
  };
}

function decodeWaiting(value: unknown): Waiting | undefined {
  if (!isJsonObject(value)) return undefined;
  const name = text(own(value, "name"));
  const capabilities = own(value, "capabilities");
  const until = count(own(value, "until"));
  if (name === undefined || !Array.isArray(capabilities) || until === 0) return undefined;
  return { name, capabilities: capabilities.filter(isCapability), until };
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
  const proof = own(attachment, "proof");
  session.proof = isProof(proof) ? proof : "none";
  session.probedAt = count(own(attachment, "probedAt"));
  session.waiting = decodeWaiting(own(attachment, "waiting"));
  return session;
}

/** True when the session was granted `capability`. */
export function has(session: Session, capability: CapabilityName): boolean {
  return session.capabilities.includes(capability);
}

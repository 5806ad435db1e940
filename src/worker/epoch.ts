/**
 * The room's durable facts: its epoch and its name, written once when the room is created.
 *
 * @module
 */

const EPOCH_KEY = "epoch";
const NAME_KEY = "room";

/** The room's epoch in seconds since 1970, stored the first time it is asked for. */
export function loadEpoch(storage: SyncKvStorage, now: () => number = Date.now): number {
  const stored = storage.get(EPOCH_KEY);
  if (typeof stored === "number" && Number.isFinite(stored)) return stored;
  const epoch = now() / 1000;
  storage.put(EPOCH_KEY, epoch);
  return epoch;
}

/** The room's name as stored, or `fallback` (then stored) when the room has none yet. */
export function loadRoomName(storage: SyncKvStorage, fallback: string | undefined): string {
  const stored = storage.get(NAME_KEY);
  if (typeof stored === "string") return stored;
  if (fallback === undefined) return "?";
  storage.put(NAME_KEY, fallback);
  return fallback;
}

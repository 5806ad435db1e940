import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import { SqlNameStore } from "../../src/worker/name-store.js";
import { newSession, type Session } from "../../src/worker/session.js";
import { type SweepResult, sweep } from "../../src/worker/sweep.js";
import { cmd } from "../support/inbox.js";
import { WORKER_LIMITS } from "../support/secure-env.js";
import { commandOf, sync } from "../support/session.js";
import { freshRoom, join, open, roomStub } from "./connect.js";

/** Idle rooms sleep; held names whose holders are gone are freed when someone asks. */

const HOUR = 3_600_000;
const HEARTBEAT = ["heartbeat"] as const;

function heartbeating(name: string, now: number): Session {
  return { ...newSession(now), name, capabilities: [...HEARTBEAT], identifiedAt: now };
}

/**
 * Runs the room's alarm as the runtime does, over simulated time: clients heartbeat every
 * `beatMs`, the alarm fires when it is due, and each firing counts one wake.
 */
function wakesOver(durationMs: number, sessions: Map<string, Session>, beatMs: number): number {
  const start = 1_000_000;
  let alarm: number | undefined = start + DEFAULT_LIMITS.heartbeatSweepMs; // set at identify
  let wakes = 0;
  while (alarm !== undefined && alarm <= start + durationMs) {
    const now: number = alarm;
    wakes += 1;
    const lastBeat: number = now - ((now - start) % beatMs);
    const found: SweepResult<string> = sweep(sessions, () => lastBeat, DEFAULT_LIMITS, now);
    expect(found.silent).toEqual([]);
    alarm = found.next;
  }
  return wakes;
}

describe("idle rooms", () => {
  it("wake at most once per heartbeatSweepMs while their clients only heartbeat", () => {
    const sessions = new Map<string, Session>();
    for (let i = 0; i < 100; i++) sessions.set(`s${i}`, heartbeating(`N${i}`, 1_000_000));
    const wakes = wakesOver(HOUR, sessions, 30_000);
    expect(DEFAULT_LIMITS.heartbeatSweepMs).toBeGreaterThanOrEqual(600_000);
    expect(wakes).toBe(Math.floor(HOUR / DEFAULT_LIMITS.heartbeatSweepMs));
    expect(wakes).toBeLessThanOrEqual(6);
  });

  it("do not wake at all when nothing is pending", () => {
    const sessions = new Map<string, Session>();
    sessions.set("seed", { ...newSession(0), name: "Seed", identifiedAt: 0 });
    expect(sweep(sessions, () => undefined, DEFAULT_LIMITS, 10_000).next).toBeUndefined();
  });

  it("set the alarm no sooner than heartbeatSweepMs for identified heartbeating clients", async () => {
    const room = freshRoom();
    const before = Date.now();
    await join(room, "A", { capabilities: ["heartbeat"] });
    const stub = roomStub(room);
    // The identify timeout of the socket is pending: that wake is due first.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const alarm = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThanOrEqual(before + DEFAULT_LIMITS.heartbeatSweepMs);
  });
});

describe("a held name whose holder may be gone", () => {
  it("goes to the newcomer when the holder does not answer the room's question", async () => {
    const room = freshRoom();
    const holder = await open(room);
    await holder.take(2);
    holder.send(cmd("indentify", { name: "Scope" }));
    await sync(holder, "Scope");
    const newcomer = await open(room);
    await newcomer.take(2);
    newcomer.send(cmd("indentify", { name: "Scope", capabilities: ["errors"] }));
    // The holder is asked with the seed's own handshake, and stays silent.
    expect(await holder.next()).toMatchObject({ data: { cmd: "indentify" }, from: "server" });
    expect(commandOf(await newcomer.next())).toBe("identified");
    expect(await holder.closed()).toEqual({ code: 4011, reason: "did not answer" });
    const other = await join(room, "Other");
    other.send({ type: "t", data: "to the new one", target: "Scope" });
    expect(await newcomer.next()).toMatchObject({ data: "to the new one" });
  });

  it("stays with a holder that answers; the newcomer is refused only after the wait", async () => {
    const room = freshRoom();
    const holder = await join(room, "Scope");
    const newcomer = await open(room);
    await newcomer.take(2);
    const asked = Date.now();
    newcomer.send(cmd("indentify", { name: "Scope", capabilities: ["errors"] }));
    expect(await newcomer.next()).toMatchObject({ data: { code: "NAME_TAKEN" } });
    expect(await newcomer.closed()).toEqual({ code: 4009, reason: "name taken" });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(WORKER_LIMITS.takeoverProbeMs);
    expect(holder.probesAnswered).toBe(1);
    const other = await join(room, "Other");
    other.send({ type: "t", data: "still yours", target: "Scope" });
    expect(await holder.next()).toMatchObject({ data: "still yours" });
  });

  it("keeps names held within the retention time, and forgets names not seen for longer", async () => {
    const room = freshRoom();
    await join(room, "Held");
    const stub = roomStub(room);
    const left = await runInDurableObject(stub, (_, state) => {
      const names = new SqlNameStore(state.storage.sql);
      names.remember("Held", "s1", 1);
      names.remember("Gone", "s2", 1);
      names.remember("Recent", "s3", Date.now());
      const forgotten = names.prune(
        Date.now() - DEFAULT_LIMITS.nameRetentionMs,
        (name) => name === "Held",
      );
      return {
        forgotten,
        secrets: ["Held", "Gone", "Recent"].map((name) => names.secretOf(name) ?? null),
      };
    });
    expect(left).toEqual({ forgotten: 1, secrets: ["s1", null, "s3"] });
  });
});

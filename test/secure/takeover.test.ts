import { describe, expect, it } from "vitest";
import { mintToken } from "../../src/auth/token.js";
import { cmd, type Frame, type Inbox } from "../support/inbox.js";
import { TEST_KEY, TEST_LIMITS, TEST_PASSWORD } from "../support/secure-env.js";
import { commandOf, expectQuiet, sync } from "../support/session.js";
import { join, open } from "../worker/connect.js";

/** Who keeps a name: the ordering of proofs, and names whose holders are gone. */

const openRoom = () => `lab-${crypto.randomUUID()}`;
const RESUME = { capabilities: ["errors", "resume"] };

function secretOf(ack: Frame): string {
  const resume = (ack.data as { kwargs: { resume?: unknown } }).kwargs.resume;
  if (typeof resume !== "string") throw new Error(`no resume secret in ${JSON.stringify(ack)}`);
  return resume;
}

async function identified(inbox: Inbox, name: string, kwargs: Record<string, unknown>) {
  await inbox.take(2);
  inbox.send(cmd("identify", { name, ...kwargs }));
  const ack = await inbox.next();
  expect(commandOf(ack)).toBe("identified");
  inbox.answerProbesAs = name;
  return ack;
}

describe("name ownership", () => {
  it("lets a token beat a stolen resume secret: the token's holder gets a fresh secret and keeps the name", async () => {
    const room = openRoom();
    const eve = await open(room);
    const stolen = secretOf(await identified(eve, "alice", RESUME));
    const token = await mintToken({ room, name: "alice", ttlSeconds: 60 }, TEST_KEY);
    const alice = await open(`${room}?token=${token}`);
    const fresh = secretOf(await identified(alice, "alice", RESUME));
    expect(fresh).not.toBe(stolen);
    expect(await eve.closed()).toEqual({ code: 4010, reason: "replaced by a new connection" });
    // Eve comes back with the secret she was given, and no token.
    const again = await open(room);
    await again.take(2);
    again.send(cmd("identify", { name: "alice", resume: stolen, ...RESUME }));
    expect(await again.next()).toMatchObject({ data: { code: "NAME_TAKEN" } });
    expect(await again.closed()).toEqual({ code: 4009, reason: "name taken" });
    // Even Alice's own current secret, without her token, does not displace her.
    const thief = await open(room);
    await thief.take(2);
    thief.send(cmd("identify", { name: "alice", resume: fresh, ...RESUME }));
    expect(await thief.closed()).toEqual({ code: 4009, reason: "name taken" });
    expect(alice.probesAnswered).toBe(2);
    const witness = await join(room, "W");
    await expectQuiet(alice, witness, "alice", "W");
  });

  it("frees the name of a socket whose heartbeats stopped when a frame is sent to it, and lists it no more", async () => {
    const room = openRoom();
    const quiet = await join(room, "Quiet", { capabilities: ["errors", "heartbeat"] });
    const beat = await join(room, "Beat", { capabilities: ["errors", "heartbeat"] });
    // Quiet sends no heartbeat; Beat does, and the runtime answers each one without waking
    // the room, until Quiet has been silent for longer than the heartbeat timeout.
    const since = Date.now();
    while (Date.now() - since <= TEST_LIMITS.heartbeatTimeoutMs) {
      beat.send('{"type":"heartbeat"}');
      expect(await beat.next()).toEqual({ type: "heartbeat", from: "server" });
    }
    beat.send({ type: "t", data: 1, target: ["Quiet"] });
    const report = (await sync(beat, "Beat")).find((frame) => frame.type === "error");
    expect(report?.data).toMatchObject({ code: "UNDELIVERED", targets: ["Quiet"] });
    expect(await quiet.closed()).toEqual({ code: 4011, reason: "heartbeat timeout" });
    beat.send(cmd("list_clients", {}, "server", "Beat"));
    expect((await beat.next()).data).toMatchObject({ kwargs: { names: ["Beat"] } });
    // The name is free at once: no question to anyone, no wait.
    const next = await open(room);
    await next.take(2);
    next.send(cmd("identify", { name: "Quiet", capabilities: ["errors"] }));
    expect(commandOf(await next.next(TEST_LIMITS.takeoverProbeMs / 2))).toBe("identified");
  });

  it("limits wrong passwords across the sockets of a room: past the budget, no password is checked", async () => {
    const room = `pw-${crypto.randomUUID()}`;
    for (let failures = 0; failures < TEST_LIMITS.passwordFailuresPerMinute; failures += 2) {
      const guesser = await open(room);
      await guesser.take(2);
      guesser.send(cmd("identify", { name: "G", password: "guess-1", capabilities: ["errors"] }));
      guesser.send(cmd("identify", { name: "G", password: "guess-2", capabilities: ["errors"] }));
      const codes = [];
      for (let i = 0; i < 2; i++) {
        for (;;) {
          const frame = await guesser.next();
          if (frame.type === "error") {
            codes.push((frame.data as { code: string }).code);
            break;
          }
        }
      }
      expect(codes).toEqual(["BAD_PASSWORD", "BAD_PASSWORD"]);
      guesser.socket.close(1000);
    }
    const right = await open(room);
    await right.take(2);
    right.send(cmd("identify", { name: "R", password: TEST_PASSWORD, capabilities: ["errors"] }));
    const refused = await right.next();
    expect(refused.data).toMatchObject({ code: "RATE_LIMITED" });
    expect((refused.data as { message: string }).message).toContain("too many wrong passwords");
    expect(await right.closed()).toEqual({
      code: 1013,
      reason: "too many wrong passwords in the room",
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cmd, type Inbox } from "../support/inbox.js";
import { commandOf, sync } from "../support/session.js";
import { freshRoom, open } from "./connect.js";

/**
 * Routing against a plain model: a map of names to inboxes. Random sequences of identify,
 * leave, takeover and send run against a real room; after each step every connected client
 * has received exactly what the model says.
 */

const NAMES = ["A", "B", "C", "D"] as const;
type Name = (typeof NAMES)[number];
const OBSERVER = "obs";

type Op =
  | { kind: "join"; name: Name }
  | { kind: "leave"; name: Name }
  | { kind: "takeover"; name: Name }
  | { kind: "send"; from: Name; targets: string[] };

const name = fc.constantFrom(...NAMES);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: name.map((n): Op => ({ kind: "join", name: n })) },
  { weight: 1, arbitrary: name.map((n): Op => ({ kind: "leave", name: n })) },
  { weight: 1, arbitrary: name.map((n): Op => ({ kind: "takeover", name: n })) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        name,
        fc.array(fc.constantFrom<string>(...NAMES, "*", "ghost"), { minLength: 1, maxLength: 4 }),
      )
      .map(([from, targets]): Op => ({ kind: "send", from, targets })),
  },
);

interface Member {
  inbox: Inbox;
  secret: string;
}

async function identify(room: string, who: string, kwargs: Record<string, unknown> = {}) {
  const inbox = await open(room);
  await inbox.take(2);
  inbox.send(cmd("identify", { name: who, capabilities: ["resume"], ...kwargs }));
  return inbox;
}

async function run(ops: Op[]): Promise<void> {
  const room = freshRoom();
  const model = new Map<string, Member>();
  const observer = await identify(room, OBSERVER);
  await observer.next();
  let seq = 0;

  const expectInboxes = async (
    expected: Map<string, unknown[]>,
    early: unknown[] = [],
    earlyAt = "",
  ) => {
    for (const [who, member] of [...model, [OBSERVER, { inbox: observer, secret: "" }] as const]) {
      const got = (await sync(member.inbox, who)).map((frame) => frame.data);
      if (who === earlyAt) got.unshift(...early);
      expect(got, `frames at ${who}`).toEqual(expected.get(who) ?? []);
    }
  };

  for (const step of ops) {
    if (step.kind === "join" && !model.has(step.name)) {
      const inbox = await identify(room, step.name);
      const ack = await inbox.next();
      expect(commandOf(ack)).toBe("identified");
      const secret = (ack.data as { kwargs: { resume: string } }).kwargs.resume;
      inbox.answerProbesAs = step.name;
      model.set(step.name, { inbox, secret });
    } else if (step.kind === "join") {
      // The holder is asked whether it is still there, answers, and keeps the name.
      const inbox = await identify(room, step.name);
      expect(await inbox.closed()).toMatchObject({ code: 4009 });
    } else if (step.kind === "leave") {
      const member = model.get(step.name);
      if (member === undefined) continue;
      member.inbox.socket.close(1000);
      await member.inbox.closed();
      model.delete(step.name);
      // Wait until the room has seen the close: the name is gone from its list.
      for (;;) {
        observer.send(cmd("list_clients", {}, "server"));
        const names = ((await observer.next()).data as { kwargs: { names: string[] } }).kwargs
          .names;
        if (!names.includes(step.name)) break;
      }
    } else if (step.kind === "takeover") {
      const member = model.get(step.name);
      if (member === undefined) continue;
      const inbox = await identify(room, step.name, { resume: member.secret });
      const ack = await inbox.next();
      expect(commandOf(ack)).toBe("identified");
      expect(await member.inbox.closed()).toMatchObject({ code: 4010 });
      const secret = (ack.data as { kwargs: { resume: string } }).kwargs.resume;
      expect(secret).not.toBe(member.secret);
      inbox.answerProbesAs = step.name;
      model.set(step.name, { inbox, secret });
    } else if (step.kind === "send") {
      const sender = model.get(step.from);
      if (sender === undefined) continue;
      seq += 1;
      sender.inbox.send({ type: "m", data: seq, target: step.targets });
      // Once the sender's ping is answered, the room has delivered the frame (to the sender
      // itself too, before the pong).
      const early = (await sync(sender.inbox, step.from)).map((frame) => frame.data);
      const recipients = new Set<string>();
      for (const target of step.targets) {
        if (target === "*") {
          for (const who of [...model.keys(), OBSERVER]) if (who !== step.from) recipients.add(who);
        } else if (model.has(target)) {
          recipients.add(target);
        }
      }
      await expectInboxes(new Map([...recipients].map((who) => [who, [seq]])), early, step.from);
    }
  }
  await expectInboxes(new Map());
}

describe("routing against a model", () => {
  it("delivers exactly what the model says through random joins, leaves, takeovers and sends", async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), run), {
      numRuns: 100,
    });
  }, 60_000);
});

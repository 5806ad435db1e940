/**
 * A room reset mid-burst: the relay restarts (close, then start again on the same port with
 * the same persistence directory) while SDK clients write numbered bursts. Every client sees
 * the close, reconnects after its own random delay and takes its name back with its resume
 * secret; every number a sender wrote is delivered once, in order, or reported to that
 * sender: unconfirmed (the socket closed before the relay's ack) or undelivered (the relay
 * took it while the receiver was away).
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, expect, it } from "vitest";
import type { SocketServer } from "../../src/server/index.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { client, eventually, recordingWebSocket } from "../support/sdk-client.js";
import {
  Burst,
  Deliveries,
  expectRising,
  numbersById,
  range,
  unconfirmedNumbers,
  undeliveredNumbers,
} from "./burst.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it("a relay restart mid-burst: reconnects with jitter, resumes, and loses nothing unreported", async () => {
  const dir = await mkdtemp(joinPath(tmpdir(), "wscomsrv-reset-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  let server: SocketServer = await startRelay({ persist: dir });
  cleanup.push(() => server.close());
  const port = server.port;
  const room = freshRoom();
  const backoff = { reconnectBaseDelay: 400, reconnectMaxDelay: 1_600 };

  const receiver = client(server, room, "Receiver", backoff);
  cleanup.push(async () => void receiver.client.close());
  const deliveries = new Deliveries(receiver.client, receiver.events);
  const senders = ["S1", "S2", "S3"].map((name) => {
    const recording = recordingWebSocket();
    const sender = client(server, room, name, { ...backoff, WebSocket: recording.WebSocket });
    cleanup.push(async () => void sender.client.close());
    const burst = new Burst(
      sender.client,
      ["Receiver"],
      { total: 600, perTick: 3, everyMs: 5 },
      sender.events,
    );
    return { name, ...sender, recording, burst };
  });
  const everyone = [receiver, ...senders];
  await Promise.all(everyone.map(({ events }) => events.identifiedTimes(1)));

  for (const sender of senders) sender.burst.start();
  cleanup.push(async () => {
    for (const sender of senders) sender.burst.stop();
  });
  // Mid-burst: every sender has been heard, none has finished.
  await receiver.events.until(
    () => senders.every(({ name }) => deliveries.from(name).length >= 30),
    "30 frames from every sender",
  );
  expect(senders.some(({ burst }) => burst.done)).toBe(false);
  await server.close();
  server = await startRelay({ port, persist: dir });

  // Everyone noticed, reconnected and identified again under the same name.
  await Promise.all(everyone.map(({ events }) => events.identifiedTimes(2, 20_000)));
  for (const { client: wsc, events } of everyone) {
    expect(events.closes.length).toBeGreaterThanOrEqual(1);
    expect(events.closes[0]?.reconnecting).toBe(true);
    expect(events.identified.map((info) => info.name)).toEqual(
      Array(events.identified.length).fill(wsc.name),
    );
    // Every identify got a fresh secret, and the client presented the latest one.
    const secrets = events.resumeSecrets;
    expect(typeof secrets[0]).toBe("string");
    expect(new Set(secrets).size).toBe(secrets.length);
  }
  // Full jitter: the clients did not all wait the same time before coming back.
  const delays = everyone.map(({ events }) => events.closes[0]?.delay);
  expect(new Set(delays).size, `first reconnect delays ${delays.join(", ")}`).toBeGreaterThan(1);

  // Every number is accounted for.
  const accounted = (sender: (typeof senders)[number]): Set<number> => {
    const byId = numbersById(sender.recording.sent);
    return new Set([
      ...deliveries.from(sender.name),
      ...unconfirmedNumbers(sender.events),
      ...undeliveredNumbers(sender.events, byId, "Receiver"),
    ]);
  };
  // Deliveries (at the receiver) and reports (at the sender) both count: look at both.
  for (const sender of senders) {
    await eventually(
      () => sender.burst.done && accounted(sender).size === 600,
      `all 600 numbers of ${sender.name} accounted for (have ${accounted(sender).size})`,
      20_000,
    );
  }
  const report: string[] = [];
  for (const sender of senders) {
    const { burst, name, events } = sender;
    expect(burst.numbers("dropped")).toEqual([]);
    expect([...burst.numbers("sent"), ...burst.numbers("queued")].sort((a, b) => a - b)).toEqual(
      range(600),
    );
    const delivered = deliveries.from(name);
    expectRising(delivered, `${name} to Receiver`);
    expect([...accounted(sender)].sort((a, b) => a - b)).toEqual(range(600));
    // Only frames the client had handed to a socket can be unconfirmed.
    const unconfirmed = unconfirmedNumbers(events);
    const queued = new Set(burst.numbers("queued"));
    report.push(
      `${name}: ${burst.numbers("sent").length} sent, ${queued.size} queued, ${delivered.length} delivered, ` +
        `${unconfirmed.length} unconfirmed, ${undeliveredNumbers(events, numbersById(sender.recording.sent), "Receiver").length} undelivered`,
    );
    expect(unconfirmed.filter((n) => queued.has(n))).toEqual([]);
    for (const error of events.unconfirmed) expect(error.untracked).toBe(0);
    expect(
      events.errors.every((e) =>
        ["UNCONFIRMED", "RELAY_ERROR", "CONNECTION_ERROR"].includes(e.code),
      ),
    ).toBe(true);
  }
  console.log(report.join("\n"));
}, 60_000);

/**
 * Coming back under the same name: a live client answers the relay's `indentify` mid-session
 * (the relay asks a holder before it gives the name to a newcomer) without disturbing
 * anything, and a restarted process presents the resume secret of its earlier run.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Json, WebSocketClient } from "../../src/client/node.js";
import { DEFAULT_CAPABILITIES } from "../../src/client/options.js";
import type { SocketServer } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { freshRoom, join, open, startRelay } from "../support/relay.js";
import { client, deliver, eventually, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const PASSWORD = "pw";
let server: SocketServer;
beforeAll(async () => {
  server = await startRelay({ password: PASSWORD });
});
afterAll(() => server.close());

const note = (n: number) => ({ type: "note", data: n, target: ["Reader"] });
/** The relay's request to identify, as it sends it in the handshake. */
const PROBE = JSON.stringify(cmd("indentify", { requires_password: true }, "server", "server"));

type Sent = { data?: { cmd?: unknown; kwargs?: Record<string, Json> } };
const identifies = (texts: readonly string[]): Sent[] =>
  texts.map((text) => JSON.parse(text) as Sent).filter((f) => f.data?.cmd === "indentify");
/** The resume secret of the first `identified` among frames received. */
const identifiedSecret = (texts: readonly string[]): string => {
  const frame = texts
    .map((text) => JSON.parse(text) as Sent)
    .find((f) => f.data?.cmd === "identified");
  const secret = frame?.data?.kwargs?.resume;
  if (typeof secret !== "string") throw new Error("no resume secret received");
  return secret;
};

/** A reader and an identified SDK client "Holder" whose frames are recorded, in a fresh room. */
async function holderWithReader() {
  const room = freshRoom();
  const reader = await join(server, room, "Reader", { password: PASSWORD });
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Holder", {
    WebSocket: recording.WebSocket,
    password: PASSWORD,
  });
  await events.identifiedTimes(1);
  return { room, reader, recording, wsc, events };
}

it("answers an indentify mid-session at once, and nothing else changes", async () => {
  const { reader, recording, wsc, events } = await holderWithReader();
  const secret = identifiedSecret(recording.received);
  const [socket] = recording.sockets;
  if (socket === undefined) throw new Error("no socket");
  const before = recording.sent.length;
  const written = [1, 2, 3].map((n) => wsc.writeToSocket(note(n)));
  deliver(socket, PROBE);
  // Answered before this tick's batch even left.
  expect(recording.sent.slice(before).map((text) => JSON.parse(text))).toEqual([
    cmd(
      "indentify",
      {
        name: "Holder",
        password: PASSWORD,
        capabilities: [...DEFAULT_CAPABILITIES],
        resume: secret,
      },
      "server",
      "Holder",
    ),
  ]);
  written.push(...[4, 5, 6].map((n) => wsc.writeToSocket(note(n))));
  expect(written).toEqual(Array(6).fill("sent"));
  expect(wsc.state).toBe("identified");
  expect((await reader.take(6)).map((f) => [f.from, f.data])).toEqual(
    [1, 2, 3, 4, 5, 6].map((n) => ["Holder", n]),
  );
  // The relay's answer to it came, and was taken quietly.
  const answers = () =>
    events.messages.filter((m) => (m.data as Sent["data"])?.cmd === "identified");
  await events.until(() => answers().length === 2, "the relay's answer");
  await eventually(() => wsc.unconfirmedFrames === 0, "every frame acked");
  expect(wsc.writeToSocket(note(7))).toBe("sent");
  expect((await reader.next()).data).toBe(7);
  expect(reader.pending).toEqual([]);
  expect(events.identified).toHaveLength(1);
  expect(events.opens).toHaveLength(1);
  expect(events.closes).toEqual([]);
  expect(events.errors).toEqual([]);
  expect(events.warnings).toEqual([]);
  expect(wsc.resumeSecret).toBe(secret);
  expect(wsc.queuedFrames).toBe(0);
  expect(recording.sockets).toHaveLength(1);
  wsc.close();
  reader.socket.close();
});

it("answers it without capabilities too, without running the identified hooks again", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader", { password: PASSWORD });
  const recording = recordingWebSocket();
  const { client: wsc, events } = client(server, room, "Seedlike", {
    WebSocket: recording.WebSocket,
    password: PASSWORD,
    capabilities: [],
  });
  await events.identifiedTimes(1);
  expect(wsc.writeToSocket(note(1))).toBe("sent");
  const [socket] = recording.sockets;
  if (socket === undefined) throw new Error("no socket");
  deliver(socket, PROBE);
  expect(identifies(recording.sent).map((f) => f.data?.kwargs)).toEqual([
    { name: "Seedlike", password: PASSWORD },
    { name: "Seedlike", password: PASSWORD },
  ]);
  expect(wsc.writeToSocket(note(2))).toBe("sent");
  expect((await reader.take(2)).map((f) => f.data)).toEqual([1, 2]);
  expect(events.identified).toHaveLength(1);
  expect(wsc.state).toBe("identified");
  expect(events.errors).toEqual([]);
  wsc.close();
  reader.socket.close();
});

it("comes back at once after a restart with the resume secret of the earlier run", async () => {
  const room = freshRoom();
  const reader = await join(server, room, "Reader", { password: PASSWORD });
  const proxy = await TcpProxy.start(server);
  try {
    // The earlier run keeps its secret where the next one can read it.
    const store = new Map<string, string | undefined>();
    const earlier = client(proxy.url, room, "Phoenix", { password: PASSWORD });
    earlier.client.addOnIdentified("persist", () => {
      store.set("resume", earlier.client.resumeSecret);
    });
    await earlier.events.identifiedTimes(1);
    const secret = store.get("resume");
    if (secret === undefined) throw new Error("no secret to persist");
    // The process dies without a close: its connection is half-open, the relay holds the name.
    proxy.blackhole();
    const recording = recordingWebSocket();
    const { client: wsc, events } = client(server, room, "Phoenix", {
      WebSocket: recording.WebSocket,
      password: PASSWORD,
      resume: secret,
    });
    expect(wsc.resumeSecret).toBe(secret);
    await events.identifiedTimes(1);
    expect(identifies(recording.sent)[0]?.data?.kwargs?.resume).toBe(secret);
    expect(events.relayErrors).toEqual([]);
    // The secret proved the name; the relay hands its proven owner a fresh one.
    expect(typeof wsc.resumeSecret).toBe("string");
    expect(wsc.resumeSecret).not.toBe(secret);
    expect(wsc.writeToSocket(note(1))).toBe("sent");
    expect(await reader.next()).toMatchObject({ from: "Phoenix", data: 1 });
    earlier.client.close();
    wsc.close();
    reader.socket.close();
  } finally {
    await proxy.close();
  }
});

it("refuses a resume option that is not a non-empty string", () => {
  expect(() => new WebSocketClient("A", { resume: "" })).toThrow(TypeError);
  expect(() => new WebSocketClient("A", { resume: 3 as unknown as string })).toThrow(TypeError);
  expect(new WebSocketClient("A").resumeSecret).toBeUndefined();
});

it("keeps its name when the relay itself asks it, for a newcomer without proof", async () => {
  const { room, reader, recording, wsc, events } = await holderWithReader();
  const before = identifies(recording.sent).length;
  // A client asks for the name without proof: the relay asks the holder, which answers.
  const newcomer = await open(server, room);
  await newcomer.take(2);
  newcomer.send(cmd("indentify", { name: "Holder", password: PASSWORD, capabilities: ["errors"] }));
  expect(await newcomer.next()).toMatchObject({ data: { code: "NAME_TAKEN" } });
  expect(await newcomer.closed()).toMatchObject({ code: 4009 });
  expect(identifies(recording.sent).length).toBe(before + 1);
  expect(recording.received.filter((text) => text.includes('"cmd":"identified"'))).toHaveLength(1);
  expect(events.identified).toHaveLength(1);
  expect(events.closes).toEqual([]);
  expect(events.errors).toEqual([]);
  expect(wsc.writeToSocket(note(1))).toBe("sent");
  expect(await reader.next()).toMatchObject({ from: "Holder", data: 1 });
  wsc.close();
  reader.socket.close();
});

import { createServer, type Server, type Socket } from "node:net";
import { afterEach, expect, it } from "vitest";
import { ClientErrorCode, isWsComSrvError } from "../../src/client/node.js";
import { freePort } from "../support/process.js";
import { freshRoom, relayForFile } from "../support/relay.js";
import { client, eventually, recordingWebSocket } from "../support/sdk-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

const relay = relayForFile();

/** A TCP server that accepts every connection and never answers the WebSocket upgrade. */
async function silentServer(): Promise<{
  server: Server;
  sockets: Socket[];
  ended: () => number;
  url: string;
}> {
  const sockets: Socket[] = [];
  let ended = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    socket.resume(); // read (and ignore) the upgrade request, so that its end is seen
    socket.on("close", () => {
      ended += 1;
    });
  });
  silent.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return { server, sockets, ended: () => ended, url: `ws://127.0.0.1:${address.port}` };
}

const silent: Array<{ server: Server; sockets: Socket[] }> = [];
afterEach(async () => {
  for (const { server, sockets } of silent.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A client of a relay that is gone (a free port nothing listens on), its sockets recorded. */
async function toNowhere(name: string, maxRetries: number) {
  const port = await freePort();
  const recording = recordingWebSocket();
  const made = client(`ws://127.0.0.1:${port}`, freshRoom(), name, {
    WebSocket: recording.WebSocket,
    maxRetries,
  });
  return { ...made, recording };
}

it("maxRetries: gives up after that many reconnects to a relay that is gone", async () => {
  const { client: wsc, events, recording } = await toNowhere("Lonely", 2);
  const ready = wsc.ready(10_000).then(
    () => undefined,
    (error: unknown) => error,
  );
  const exhausted = await events.error(ClientErrorCode.retriesExhausted);
  expect(exhausted.message).toMatch(/^gave up after 2 reconnect attempt\(s\) without an identify/);
  expect(await ready).toBe(exhausted);
  expect(wsc.state).toBe("closed");
  // The first connect and two reconnects; the last close is final.
  expect(recording.sockets).toHaveLength(3);
  await events.until(() => events.closes.length === 3, "three closes");
  expect(events.closes.map((close) => close.reconnecting)).toEqual([true, true, false]);
  expect(events.errors.filter((e) => e.code === ClientErrorCode.connectionError)).toHaveLength(3);
  expect(events.errors.filter((e) => e.code === ClientErrorCode.retriesExhausted)).toHaveLength(1);
  // Closed for good: frames are dropped, and ready() rejects at once.
  expect(wsc.send("Peer", "note")).toBe("dropped");
  await expect(wsc.ready()).rejects.toBe(exhausted);
});

it("maxRetries: an identify starts the count again", async () => {
  const proxy = await TcpProxy.start(relay());
  try {
    const { client: wsc, events } = client(proxy.url, freshRoom(), "Steady", { maxRetries: 1 });
    await events.identifiedTimes(1);
    // Each drop uses the one reconnect allowed; its identify gives it back.
    for (const round of [2, 3, 4]) {
      proxy.dropAll();
      await events.identifiedTimes(round);
    }
    expect(events.closes.map((close) => close.reconnecting)).toEqual([true, true, true]);
    expect(events.errors.filter((e) => e.code === ClientErrorCode.retriesExhausted)).toEqual([]);
    expect(wsc.state).toBe("identified");
    wsc.close();
  } finally {
    await proxy.close();
  }
});

it("maxRetries: 0 closes for good at the first failure", async () => {
  const { client: wsc, recording, events } = await toNowhere("Once", 0);
  await expect(wsc.ready(10_000)).rejects.toMatchObject({ code: ClientErrorCode.retriesExhausted });
  expect(recording.sockets).toHaveLength(1);
  await events.until(() => events.closes.length === 1, "the close");
  expect(events.closes[0]).toMatchObject({ reconnecting: false });
});

it("connectTimeout: a socket whose upgrade is never answered is dropped and retried", async () => {
  const tcp = await silentServer();
  const recording = recordingWebSocket();
  const started = Date.now();
  const { client: wsc, events } = client(tcp.url, freshRoom(), "Patient", {
    WebSocket: recording.WebSocket,
    connectTimeout: 150,
    maxRetries: 1,
  });
  const error = await wsc.ready(10_000).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isWsComSrvError(error, ClientErrorCode.retriesExhausted)).toBe(true);
  // Two attempts of 150 ms each, and a reconnect delay between them.
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(recording.sockets).toHaveLength(2);
  const timeouts = events.errors.filter((e) => e.code === ClientErrorCode.connectionError);
  expect(timeouts.map((e) => e.message)).toEqual([
    `WebSocket error on ${tcp.url}/${wsc.url?.split("/").pop()}: the socket did not open within 150 ms (connectTimeout)`,
    `WebSocket error on ${tcp.url}/${wsc.url?.split("/").pop()}: the socket did not open within 150 ms (connectTimeout)`,
  ]);
  expect(events.closes).toEqual([
    expect.objectContaining({
      code: 1006,
      reason: "the socket did not open within 150 ms (connectTimeout)",
      reconnecting: true,
    }),
    expect.objectContaining({ code: 1006, reconnecting: false }),
  ]);
  expect(events.opens).toEqual([]);
  // The dropped sockets were let go: the server sees both connections end.
  await eventually(() => tcp.ended() === 2, "both TCP connections ended");
});

it("connectTimeout: 0 waits for ever, and a socket that opens in time is kept", async () => {
  const tcp = await silentServer();
  const { client: waiting, events } = client(tcp.url, freshRoom(), "Forever", {
    connectTimeout: 0,
  });
  await eventually(() => tcp.sockets.length === 1, "the TCP connection");
  const timedOut = await waiting.ready(400).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isWsComSrvError(timedOut, ClientErrorCode.readyTimeout)).toBe(true);
  expect(waiting.state).toBe("connecting");
  expect(events.errors).toEqual([]);
  waiting.close();
  // A relay that answers: the timer is cleared at the open, nothing drops the connection.
  const quick = client(relay(), freshRoom(), "Quick", { connectTimeout: 100 });
  await quick.client.ready(5_000);
  // Past the connect timeout, nothing drops the open connection.
  await expect(
    quick.events.until(() => quick.events.closes.length > 0, "a close", 300),
  ).rejects.toThrow("timed out after 300 ms waiting for a close");
  expect(quick.events.closes).toEqual([]);
  expect(quick.client.state).toBe("identified");
  quick.client.close();
});

it("checks maxRetries and connectTimeout", () => {
  expect(() => client(relay(), freshRoom(), "Bad", { maxRetries: -1 })).toThrow(
    "maxRetries must be an integer >= 0 or Infinity, got -1",
  );
  expect(() => client(relay(), freshRoom(), "Bad", { maxRetries: 1.5 })).toThrow(RangeError);
  expect(() => client(relay(), freshRoom(), "Bad", { connectTimeout: -5 })).toThrow(
    "connectTimeout must be an integer >= 0, got -5",
  );
  const fine = client(relay(), freshRoom(), "Fine", {
    maxRetries: Number.POSITIVE_INFINITY,
    autoConnect: false,
  });
  fine.client.close();
});

/**
 * A seed client whose connection broke without the relay noticing comes back under its name;
 * a seed client asking for a name a live client holds is refused late enough that its own
 * reconnect loop goes on. Both against the local relay with its defaults.
 */

import { expect, it } from "vitest";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import { freshRoom, join, relayForFile } from "../support/relay.js";
import { SeedClient } from "../support/seed-client.js";
import { TcpProxy } from "../support/tcp-proxy.js";

/** Sends `gui` a point from `from` until it has `count` frames (it may not be identified yet). */
async function pointUntil(
  from: { send(frame: object): void },
  gui: SeedClient,
  count: number,
  x: number,
): Promise<void> {
  const deadline = Date.now() + DEFAULT_LIMITS.takeoverProbeMs * 10;
  while (gui.frames.length < count && Date.now() < deadline) {
    from.send({ type: "data", data: { x }, target: ["gui"] });
    await gui.until(() => gui.frames.length >= count, `point ${x}`, 300).catch(() => undefined);
  }
}

const relay = relayForFile();

it("gives a seed client its name back after a blip left its old socket half-open", async () => {
  const server = relay();
  const room = freshRoom();
  const proxy = await TcpProxy.start(server);
  const plotter = await join(server, room, "Plotter");
  const gui = new SeedClient(`${proxy.url}/${room}`, "gui");
  try {
    await pointUntil(plotter, gui, 1, 1);
    expect(gui.frames[0]).toMatchObject({ data: { x: 1 } });
    // The plotter streams for a while (the seed's client gives up on a connection that breaks
    // within its first second, and this one is to break later).
    const openedAt = gui.connections[0]?.openedAt ?? 0;
    for (let x = 100; Date.now() - openedAt <= 1_100; x++)
      await pointUntil(plotter, gui, gui.frames.length + 1, x);
    // The blip: the client's side is reset, the relay's side stays open and silent.
    (await proxy.connection(0)).cutClientSide();
    // The seed client reconnects (through the proxy, which now forwards a new connection).
    await gui.until(() => gui.connections.length === 2, "the reconnect");
    // The relay asks the old socket, which cannot answer, and gives the name to the new one.
    const before = gui.frames.length;
    await pointUntil(plotter, gui, before + 1, 2);
    expect(gui.frames[before]).toMatchObject({ data: { x: 2 }, from: "Plotter" });
    expect(gui.connections).toHaveLength(2);
    expect(gui.gaveUp).toBe(false);
    expect(gui.connections[1]?.closedAt).toBeUndefined();
  } finally {
    gui.stop();
    await proxy.close();
  }
}, 30_000);

it("refuses a seed client a name a live client holds only after the wait, so that it keeps trying", async () => {
  const server = relay();
  const room = freshRoom();
  const holder = new SeedClient(`${server.wsAddress}/${room}`, "gui");
  await holder.until(() => holder.connections.length === 1, "the holder's connection");
  const witness = await join(server, room, "Witness");
  await pointUntil(witness, holder, 1, 1);
  const twin = new SeedClient(`${server.wsAddress}/${room}`, "gui");
  try {
    await twin.until(() => twin.connections[0]?.code !== undefined, "the refusal", 10_000);
    const refused = twin.connections[0];
    expect(refused?.code).toBe(4009);
    expect((refused?.closedAt ?? 0) - (refused?.openedAt ?? 0)).toBeGreaterThanOrEqual(1_000);
    // Its own loop goes on: it reconnects and asks again.
    await twin.until(() => twin.connections.length === 2, "the twin's retry");
    expect(twin.gaveUp).toBe(false);
    await pointUntil(witness, holder, 2, 2);
    expect(holder.frames.map((frame) => frame.data)).toEqual([{ x: 1 }, { x: 2 }]);
  } finally {
    twin.stop();
    holder.stop();
  }
}, 30_000);

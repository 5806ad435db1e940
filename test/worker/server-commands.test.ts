import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { commandOf, expectQuiet } from "../support/session.js";
import { ALL_EXTENSIONS, freshRoom, join } from "./connect.js";

describe("commands to the relay", () => {
  it("answers ping with pong, the relay's clock and the ping's kwargs", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    a.send(cmd("ping", { t0: 12.5 }, "server", "A"));
    const pong = await a.next();
    expect(pong).toMatchObject({ type: "cmd", from: "server", target: ["A"] });
    expect(commandOf(pong)).toBe("pong");
    const kwargs = (pong.data as { kwargs: { t0: number; time: number } }).kwargs;
    expect(kwargs.t0).toBe(12.5);
    expect(Math.abs(kwargs.time - Date.now() / 1000)).toBeLessThan(60);
  });

  it("lists the identified names", async () => {
    const room = freshRoom();
    const b = await join(room, "B");
    const a = await join(room, "A");
    a.send(cmd("list_clients", {}, "server", "A"));
    expect(await a.next()).toMatchObject({
      data: { cmd: "clients", kwargs: { names: ["A", "B"] } },
      from: "server",
      target: ["A"],
    });
    await expectQuiet(b, a, "B", "A");
  });

  it("runs a command for the relay and delivers it to the other targets too", async () => {
    const room = freshRoom();
    const a = await join(room, "A");
    const b = await join(room, "B");
    a.send(cmd("ping", { token: 1 }, ["server", "B"], "A"));
    expect(commandOf(await a.next())).toBe("pong");
    expect(await b.next()).toMatchObject({ from: "A", data: { cmd: "ping" } });
  });

  it("refuses close_socket and keeps the room running", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    const b = await join(room, "B");
    a.send(cmd("close_socket", {}, "server", "A"));
    expect(await a.next()).toMatchObject({
      type: "error",
      data: { code: "FORBIDDEN_COMMAND", ref: { type: "cmd", cmd: "close_socket" } },
    });
    await expectQuiet(b, a, "B", "A");
  });

  it("reports an unknown command", async () => {
    const room = freshRoom();
    const a = await join(room, "A", ALL_EXTENSIONS);
    a.send({ ...cmd("reboot", {}, "server", "A"), id: 3 });
    expect(await a.next()).toMatchObject({
      type: "error",
      data: { code: "UNKNOWN_COMMAND", ref: { id: 3, cmd: "reboot" } },
    });
  });
});

import { describe, expect, it } from "vitest";
import { connectToFirstFreePort, NoFreePortError } from "../../src/server/index.js";
import { holdSuccessive, portOf, release, workerdBelow } from "./children.js";

describe("connectToFirstFreePort", () => {
  it("skips taken ports and returns the server started on the first free one", async () => {
    const held = await holdSuccessive(3);
    const [first, second, third] = held.map(portOf);
    if (first === undefined || second === undefined || third === undefined) throw new Error();
    // The third port is the first free one.
    const last = held.pop();
    if (last !== undefined) await release(last);
    try {
      const server = await connectToFirstFreePort(first);
      try {
        expect(server.port).toBe(third);
        expect(server.wsAddress).toBe(`ws://127.0.0.1:${third}`);
      } finally {
        await server.close();
      }
    } finally {
      await Promise.all(held.map(release));
    }
    expect(second).toBe(first + 1);
  });

  it("gives up after `attempts` taken ports with ERR_NO_FREE_PORT, fast", async () => {
    const held = await holdSuccessive(2);
    const [first] = held.map(portOf);
    if (first === undefined) throw new Error("no port held");
    try {
      const t0 = performance.now();
      const error: unknown = await connectToFirstFreePort(first, { attempts: 2 }).catch(
        (rejection: unknown) => rejection,
      );
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(NoFreePortError);
      expect(error).toMatchObject({
        code: "ERR_NO_FREE_PORT",
        firstPort: first,
        lastPort: first + 1,
        cause: { code: "EADDRINUSE", port: first + 1 },
      });
      expect(workerdBelow()).toEqual([]);
    } finally {
      await Promise.all(held.map(release));
    }
  });

  it("does not try further ports for another failure", async () => {
    await expect(connectToFirstFreePort(20_000, { host: "192.0.2.1" })).rejects.toMatchObject({
      code: "ERR_LISTEN",
      port: 20_000,
    });
  });

  it("throws at once for a bad argument", () => {
    expect(() => connectToFirstFreePort(0)).toThrow(RangeError);
    expect(() => connectToFirstFreePort(8888, { attempts: 0 })).toThrow(RangeError);
    expect(() => connectToFirstFreePort(8888, { port: 1 } as never)).toThrow(TypeError);
    expect(() => connectToFirstFreePort(8888, { host: "" })).toThrow(TypeError);
  });
});

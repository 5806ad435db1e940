import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { identifyAs } from "../support/session.js";
import { open } from "./connect.js";

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`http://relay.test${path}`, { headers });
}

describe("the Worker's URL scheme", () => {
  it("answers the health route", async () => {
    const response = await get("/_health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("explains itself with 426 to a request that is not an upgrade", async () => {
    const response = await get("/lab");
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect(await response.text()).toContain('room "lab"');
  });

  it.each([
    ["/-lead", "starts with a letter or digit"],
    ["/a%20b", "only A-Z"],
    ["/a/b", "only A-Z"],
    [`/${"x".repeat(65)}`, "longer than 64"],
  ])("refuses the room in %s with 400 and a reason, upgrade or not", async (path, reason) => {
    for (const headers of [{}, { upgrade: "websocket" }] as Record<string, string>[]) {
      const response = await get(path, headers);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(reason);
      expect(response.webSocket).toBeNull();
    }
  });

  it("keeps paths starting with _ for the relay", async () => {
    const response = await get("/_nothing", { upgrade: "websocket" });
    expect(response.status).toBe(404);
  });

  it("sends / to the room named default, with or without a trailing slash", async () => {
    // Names no other test uses: the room "default" is shared.
    const here = `root-${crypto.randomUUID().slice(0, 8)}`;
    const there = `named-${crypto.randomUUID().slice(0, 8)}`;
    const root = await identifyAs(await open(""), here);
    const named = await identifyAs(await open("default/"), there);
    named.send({ type: "t", data: "same room", target: here });
    expect(await root.next()).toMatchObject({ data: "same room", from: there });
  });
});

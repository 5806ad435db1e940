import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALLOWED_ORIGIN } from "../support/secure-env.js";

function page(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`https://relay.test${path}`, {
    headers: { accept: "text/html", ...headers },
  });
}

describe("the room console of a secured relay", () => {
  it.each([
    ["/pw-lab", "password"],
    ["/tok-lab", "token"],
    ["/lab", "open"],
  ])("tells the page of %s that the room is %s", async (path, policy) => {
    const response = await page(path);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`data-policy="${policy}"`);
  });

  it("applies the origin rules to the page as to a socket", async () => {
    expect((await page("/lab", { origin: "https://evil.example" })).status).toBe(403);
    expect((await page("/lab", { origin: ALLOWED_ORIGIN })).status).toBe(200);
  });
});

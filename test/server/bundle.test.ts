import { readFile } from "node:fs/promises";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";
import { findBundle, WORKER } from "../../src/server/bundle.js";
import { AddressInUseError, fromStartFailure } from "../../src/server/errors.js";
import { WsComSrvError } from "../../src/server/index.js";
import { hold, portOf, release, workerdBelow } from "./children.js";

describe("the Worker the local server runs", () => {
  it("has wrangler.toml's name, compatibility date and Durable Object binding", async () => {
    const toml = await readFile(new URL("../../wrangler.toml", import.meta.url), "utf8");
    expect(toml).toMatch(new RegExp(`^name = "${WORKER.name}"$`, "m"));
    expect(toml).toMatch(new RegExp(`^compatibility_date = "${WORKER.compatibilityDate}"$`, "m"));
    expect(toml).toMatch(/^name = "ROOMS"\nclass_name = "Room"$/m);
    expect(toml).toMatch(/^new_sqlite_classes = \["Room"\]$/m);
  });

  it("is the bundle `npm run build` writes with wrangler", async () => {
    const path = await findBundle();
    expect(path.endsWith("/dist/worker/index.js")).toBe(true);
  });
});

describe("Miniflare on a taken port (the gap after the probe)", () => {
  it("rejects with ERR_ADDRESS_IN_USE, which maps to EADDRINUSE, and leaves no workerd", async () => {
    const blocker = await hold();
    const port = portOf(blocker);
    try {
      const miniflare = new Miniflare(
        convertV4MiniflareOptions({
          host: "127.0.0.1",
          port,
          modules: true,
          script: "export default { fetch: () => new Response('') }",
          compatibilityDate: WORKER.compatibilityDate,
          cf: false,
        }),
      );
      const error: unknown = await miniflare.ready.catch((rejection: unknown) => rejection);
      await miniflare.dispose().catch(() => {});
      expect(error).toMatchObject({ code: "ERR_ADDRESS_IN_USE" });
      const mapped = fromStartFailure("127.0.0.1", port, error);
      expect(mapped).toBeInstanceOf(AddressInUseError);
      expect(mapped).toMatchObject({ code: "EADDRINUSE", port, cause: error });
      expect(workerdBelow()).toEqual([]);
    } finally {
      await release(blocker);
    }
  });

  it("maps any other start failure to ERR_RUNTIME_START", () => {
    const cause = Object.assign(new Error("boom"), { code: "ERR_RUNTIME_FAILURE" });
    const mapped = fromStartFailure("127.0.0.1", 1, cause);
    expect(mapped).toBeInstanceOf(WsComSrvError);
    expect(mapped).toMatchObject({ code: "ERR_RUNTIME_START", cause });
  });
});

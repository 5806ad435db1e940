/**
 * How the browser tests find their Chromium, as plain functions over a made-up file system
 * and environment: nothing is installed, removed or launched.
 */

import { describe, expect, it } from "vitest";
import {
  CHROMIUM_LOCATIONS,
  findChromium,
  launchChromium,
  NO_CHROMIUM,
} from "../support/chromium.js";

/** A file system holding exactly `paths`. */
const holding =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe("findChromium", () => {
  it("takes CHROMIUM_PATH over CHROME_PATH and over every usual place", () => {
    const env = { CHROMIUM_PATH: "/opt/mine/chrome", CHROME_PATH: "/opt/other/chrome" };
    const exists = holding("/opt/mine/chrome", "/opt/other/chrome", ...CHROMIUM_LOCATIONS);
    expect(findChromium(env, exists)).toEqual({ ok: true, path: "/opt/mine/chrome" });
  });

  it("takes CHROME_PATH when CHROMIUM_PATH is unset or empty", () => {
    const exists = holding("/opt/other/chrome", "/usr/bin/chromium");
    expect(findChromium({ CHROME_PATH: "/opt/other/chrome" }, exists)).toEqual({
      ok: true,
      path: "/opt/other/chrome",
    });
    expect(findChromium({ CHROMIUM_PATH: "", CHROME_PATH: "/opt/other/chrome" }, exists)).toEqual({
      ok: true,
      path: "/opt/other/chrome",
    });
  });

  it("says which variable names a missing file, instead of taking another browser", () => {
    const found = findChromium({ CHROMIUM_PATH: "/opt/gone" }, holding("/usr/bin/chromium"));
    expect(found).toEqual({
      ok: false,
      problem: `CHROMIUM_PATH=/opt/gone: no such file; ${NO_CHROMIUM}`,
    });
  });

  it("tries the usual places in order without a variable", () => {
    expect(findChromium({}, holding("/usr/bin/google-chrome", "/snap/bin/chromium"))).toEqual({
      ok: true,
      path: "/usr/bin/google-chrome",
    });
    const mac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    expect(findChromium({}, holding(mac))).toEqual({ ok: true, path: mac });
  });

  it("says in one line how to provide one when there is none", () => {
    expect(findChromium({}, holding())).toEqual({ ok: false, problem: NO_CHROMIUM });
    expect(NO_CHROMIUM).toBe(
      "No Chromium found: install one (Debian: apt-get install chromium) or set CHROMIUM_PATH=/path/to/chrome",
    );
  });
});

describe("launchChromium", () => {
  it("rejects with that one line and no stack when the named browser is missing", async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "/nonexistent/chromium";
    // The variable is read before the first await, so it is put back at once.
    const launched = launchChromium();
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
    const error = await launched.then(
      () => expect.unreachable("a browser was launched"),
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(Error);
    const { message, stack } = error as Error;
    expect(message).toBe(`CHROMIUM_PATH=/nonexistent/chromium: no such file; ${NO_CHROMIUM}`);
    expect(stack).toBe(`Error: ${message}`);
  });
});

/**
 * The Chromium the browser tests drive with playwright-core: found, never installed. The
 * variable `CHROMIUM_PATH` (or `CHROME_PATH`, the name other tools read) names it; without
 * one, the usual places on Linux and macOS are tried in order. When none is there, the
 * browser tests fail, each of them, with one line that says how to provide one.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll } from "vitest";

/** The variables that name a browser, the first set one wins. */
export const CHROMIUM_VARIABLES = ["CHROMIUM_PATH", "CHROME_PATH"] as const;

/** Where a Chromium or a Chrome usually is, tried in this order. */
export const CHROMIUM_LOCATIONS: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

/** What the browser tests say when they find no browser. */
export const NO_CHROMIUM =
  "No Chromium found: install one (Debian: apt-get install chromium) or set CHROMIUM_PATH=/path/to/chrome";

/** The browser found, or the one line that says why there is none. */
export type ChromiumFound = { ok: true; path: string } | { ok: false; problem: string };

/**
 * Finds a browser: the path a variable of {@link CHROMIUM_VARIABLES} names (a named path
 * that does not exist is a problem, not a reason to look elsewhere), else the first of
 * {@link CHROMIUM_LOCATIONS} that exists.
 *
 * @param env - the variables to read; defaults to `process.env`.
 * @param exists - whether a file exists; defaults to `existsSync`.
 */
export function findChromium(
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (path: string) => boolean = existsSync,
): ChromiumFound {
  for (const variable of CHROMIUM_VARIABLES) {
    const path = env[variable];
    if (path === undefined || path === "") continue;
    if (exists(path)) return { ok: true, path };
    return { ok: false, problem: `${variable}=${path}: no such file; ${NO_CHROMIUM}` };
  }
  const path = CHROMIUM_LOCATIONS.find((location) => exists(location));
  return path === undefined ? { ok: false, problem: NO_CHROMIUM } : { ok: true, path };
}

/**
 * An error that Vitest prints as its message alone: no stack (it would point into this
 * helper, which is not what failed) and so no code frame.
 */
function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/**
 * A headless Chromium, launched with the flags a container needs.
 *
 * @throws Error (rejects) with {@link NO_CHROMIUM} when {@link findChromium} finds none.
 */
export async function launchChromium(): Promise<Browser> {
  const found = findChromium();
  if (!found.ok) throw oneLineError(found.problem);
  return chromium.launch({
    executablePath: found.path,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * One Chromium for the tests of a file, launched by the first test that asks for it and
 * closed after the last. Launching in a test rather than in `beforeAll` makes a missing
 * browser fail each test with {@link NO_CHROMIUM}, where a failed `beforeAll` would mark the
 * tests skipped.
 *
 * @example
 * ```ts
 * const browser = chromiumForFile();
 * it("loads the page", async () => {
 *   const page = await (await browser()).newPage();
 * });
 * ```
 */
export function chromiumForFile(): () => Promise<Browser> {
  let launched: Promise<Browser> | undefined;
  afterAll(async () => {
    const browser = await launched?.catch(() => undefined);
    await browser?.close();
  });
  return () => {
    launched ??= launchChromium();
    return launched;
  };
}

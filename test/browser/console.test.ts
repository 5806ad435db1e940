/**
 * The room console in a real headless Chromium, served by the local relay (the Worker bundle
 * of `npm run build`): it joins as `gui`, lists a Node client that comes and goes, shows its
 * level messages as text, plots its data points and calls its commands.
 */

import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "../../src/auth/token.js";
import { dataPointMessage, levelMessage } from "../../src/client/node.js";
import type { SocketServer } from "../../src/server/index.js";
import { chromiumForFile } from "../support/chromium.js";
import { freshRoom, startRelay } from "../support/relay.js";
import { client } from "../support/sdk-client.js";

/** Where the screenshot goes: gitignored, kept after the run. */
const ARTIFACTS = fileURLToPath(new URL("../../.tmp/browser/", import.meta.url));

const TIMEOUT = 10_000;

const PASSWORD = "console-pw";
const KEY = { id: "k1", secret: "console-test-secret-0123456789-abcdefgh" };

let relay: SocketServer;
/** A relay with password rooms (`pw-…`) and token rooms (`tok-…`). */
let secured: SocketServer;
const browser = chromiumForFile();

beforeAll(async () => {
  relay = await startRelay();
  secured = await startRelay({
    password: PASSWORD,
    roomPolicy: { "pw-*": "password", "tok-*": "token", "*": "open" },
    tokenKeys: { [KEY.id]: KEY.secret },
  });
});

afterAll(async () => {
  await relay?.close();
  await secured?.close();
});

/** A console page of `room`, with every console error and page error it reports. */
async function openConsole(
  room: string,
  query = "",
  server = relay,
): Promise<{ page: Page; errors: string[] }> {
  const page = await (await browser()).newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(`${server.wsAddress.replace(/^ws/, "http")}/${room}${query}`);
  expect(response?.status()).toBe(200);
  return { page, errors };
}

/** Waits until the page has joined, and returns the name it joined as. */
async function joined(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => document.body.dataset.joined, undefined, {
    timeout: TIMEOUT,
  });
  return String(await handle.jsonValue());
}

/** The log lines of the page: kind, sender, title and text. */
function logLines(page: Page): Promise<{ kind: string; sender: string; text: string }[]> {
  return page.$$eval("#log li", (lines) =>
    lines.map((line) => ({
      kind: line.className,
      sender: line.querySelector(".sender")?.textContent ?? "",
      text: line.querySelector(".text")?.textContent ?? "",
    })),
  );
}

describe("the room console", () => {
  it("joins as gui, lists members, logs, plots and calls", async () => {
    const room = freshRoom();
    const { page, errors } = await openConsole(room);
    expect(await joined(page)).toBe("gui");
    expect(await page.textContent("#room")).toBe(room);

    const node = client(relay, room, "Sensor");
    await node.events.identifiedTimes(1);
    await page.waitForSelector('#members tr[data-name="Sensor"]', { timeout: TIMEOUT });
    expect(await page.$$eval("#members tr", (rows) => rows.map((row) => row.dataset.name))).toEqual(
      ["Sensor", "gui"],
    );

    // A level message, coloured by its level.
    node.client.writeToSocket(
      levelMessage("laser warming up", "warning", "Sensor", "gui", "status"),
    );
    await page.waitForSelector("#log li.warning", { timeout: TIMEOUT });
    expect((await logLines(page)).filter((line) => line.sender === "Sensor")).toEqual([
      { kind: "warning", sender: "Sensor", text: "laser warming up" },
    ]);

    // Filtered out by level, and by sender.
    const shown = () =>
      page.$$eval("#log li.warning", (lines) => lines.map((line) => !line.hasAttribute("hidden")));
    await page.uncheck('#log-filters input[value="warning"]');
    expect(await shown()).toEqual([false]);
    await page.check('#log-filters input[value="warning"]');
    await page.selectOption("#log-sender", "console");
    expect(await shown()).toEqual([false]);
    await page.selectOption("#log-sender", "Sensor");
    expect(await shown()).toEqual([true]);

    // 1,000 data points: the plot's own data holds every one.
    for (let i = 0; i < 1_000; i++) {
      node.client.writeToSocket(
        dataPointMessage("temperature", i, Math.sin(i / 50), "Sensor", "gui"),
      );
    }
    const plotted = await page.waitForFunction(
      () => {
        const data = window.__consolePlot?.data;
        return data !== undefined && data[1]?.length === 1_000 ? [data[0], data[1]] : false;
      },
      undefined,
      { timeout: TIMEOUT },
    );
    const [xs, ys] = (await plotted.jsonValue()) as [number[], number[]];
    expect(xs).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(ys.map((y) => y.toFixed(9))).toEqual(xs.map((i) => Math.sin(i / 50).toFixed(9)));
    expect(await page.evaluate(() => window.__consolePlot?.series[1]?.label)).toBe(
      "Sensor temperature",
    );

    // Over room time: seconds since the room's epoch, from each point's `t` (points sent in
    // the same millisecond share one).
    await page.selectOption("#plot-axis", "time");
    const times = await page.waitForFunction(
      () => {
        const plot = window.__consolePlot;
        return plot?.axes[0]?.label === "room time (s)" ? plot.data[0] : false;
      },
      undefined,
      { timeout: TIMEOUT },
    );
    const roomTimes = (await times.jsonValue()) as number[];
    expect(roomTimes.length).toBeGreaterThan(0);
    expect(roomTimes.every((t) => t >= 0 && t < 600)).toBe(true);
    await page.selectOption("#plot-axis", "x");
    await page.selectOption("#log-sender", "");

    // A command round trip, and a handler's error.
    node.client.addCmdFunction("add", ({ a, b }) => Number(a) + Number(b));
    node.client.addCmdFunction("fail", () => {
      throw new RangeError("the probe is out of range");
    });
    await page.fill("#command-target", "Sensor");
    await page.fill("#command-name", "add");
    await page.fill("#command-kwargs", '{"a": 2, "b": 40}');
    await page.click("#command button");
    await page.waitForFunction(
      () => document.getElementById("command-result")?.textContent?.startsWith("reply"),
      undefined,
      { timeout: TIMEOUT },
    );
    expect(await page.textContent("#command-result")).toBe("reply: 42");
    await page.fill("#command-name", "fail");
    await page.click("#command button");
    await page.waitForSelector("#command-result.error", { timeout: TIMEOUT });
    expect(await page.textContent("#command-result")).toMatch(
      /^HANDLER_FAILED\n.*\nRangeError: the probe is out of range$/,
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}console.png`, fullPage: true });

    // The member leaves: the console removes it.
    node.client.close();
    await page.waitForSelector('#members tr[data-name="Sensor"]', {
      state: "detached",
      timeout: TIMEOUT,
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows what a member sends as text, never as markup", async () => {
    const room = freshRoom();
    const { page, errors } = await openConsole(room);
    await joined(page);
    const name = "<b>Mallory</b>";
    const node = client(relay, room, "Mallory");
    await node.events.identifiedTimes(1);
    const html = '<img src=x id=injected onerror="document.title=1"><b id=bold>bold</b>';
    node.client.writeToSocket(levelMessage(html, "error", "Mallory", "gui", "<i>title</i>"));
    node.client.writeToSocket({ type: "<script>", data: { html }, from: name, target: ["*"] });
    await page.waitForFunction(() => document.querySelectorAll("#log li").length >= 3, undefined, {
      timeout: TIMEOUT,
    });
    const lines = (await logLines(page)).filter((line) => line.sender === "Mallory");
    expect(lines).toEqual([
      { kind: "error", sender: "Mallory", text: html },
      { kind: "frame", sender: "Mallory", text: JSON.stringify({ html }) },
    ]);
    expect(await page.$$("#injected, #bold, #log b, #log i, #log img")).toEqual([]);
    expect(await page.$eval("#log li.error .title", (title) => title.textContent)).toBe(
      "<i>title</i>",
    );
    expect(errors).toEqual([]);
    node.client.close();
    await page.close();
  });

  it("takes a generated name when gui is taken, and ?name= when given", async () => {
    const room = freshRoom();
    const gui = client(relay, room, "gui");
    await gui.events.identifiedTimes(1);
    const first = await openConsole(room);
    // The relay asks gui whether it is still there (takeoverProbeMs) before it refuses.
    expect(await joined(first.page)).toMatch(/^console-[a-z0-9]{4}$/);
    const named = await openConsole(room, "?name=Bench");
    expect(await joined(named.page)).toBe("Bench");
    expect(first.errors).toEqual([]);
    expect(named.errors).toEqual([]);
    gui.client.close();
    await first.page.close();
    await named.page.close();
  });

  it("asks for the password in a password room, again when it is wrong", async () => {
    const room = `pw-${freshRoom()}`;
    const { page, errors } = await openConsole(room, "", secured);
    await page.waitForSelector("#auth", { state: "visible", timeout: TIMEOUT });
    expect(await page.textContent("#auth-label")).toBe("Password");
    await page.fill("#auth-input", "wrong");
    await page.click("#auth button");
    await page.waitForSelector("#status.error", { timeout: TIMEOUT });
    expect(await page.textContent("#status")).toBe("the relay refused that password");
    await page.waitForSelector("#auth", { state: "visible", timeout: TIMEOUT });
    await page.fill("#auth-input", PASSWORD);
    await page.click("#auth button");
    expect(await joined(page)).toBe("gui");
    expect(await page.isHidden("#auth")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("asks for a token in a token room and joins under the token's name", async () => {
    const room = `tok-${freshRoom()}`;
    const { page, errors } = await openConsole(room, "", secured);
    await page.waitForSelector("#auth", { state: "visible", timeout: TIMEOUT });
    expect(await page.textContent("#auth-label")).toBe("Token");
    await page.fill(
      "#auth-input",
      await mintToken({ room, name: "Operator", ttlSeconds: 600 }, KEY),
    );
    await page.click("#auth button");
    expect(await joined(page)).toBe("Operator");
    expect(errors).toEqual([]);
    await page.close();
  });
});

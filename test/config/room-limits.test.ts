/**
 * Limits by room (`ROOM_LIMITS`, `options.roomLimits`, `--room-limits`): which entry a room
 * takes, how it sits over `LIMITS` and the defaults, the checks of each entry, and the
 * variables the embedded server hands the Worker.
 */

import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "wscomsrv-protocol";
import {
  checkRelayConfig,
  type RelayConfig,
  readRelayVariables,
  relayVariables,
} from "../../src/config/index.js";

/** The configuration of `variables`, which must be valid. */
function configOf(variables: Record<string, string>): RelayConfig {
  const result = readRelayVariables(variables);
  if (!result.ok) throw new Error(`refused: ${result.problem}`);
  return result.config;
}

/** The problem `variables` are refused with. */
function problemOf(variables: Record<string, string>): string {
  const result = readRelayVariables(variables);
  if (result.ok) throw new Error("accepted");
  return result.problem;
}

const ROOM_LIMITS = JSON.stringify({
  lab: { mailWindowMs: 1_000_000 },
  "lab-*": { mailWindowMs: 600_000 },
  "lab-big-*": { maxConnections: 20_000 },
  "*": { maxConnections: 100 },
});

describe("limits by room", () => {
  it("gives a room the entry of its name, else of its longest prefix, else of *", () => {
    const config = configOf({ ROOM_LIMITS });
    expect(config.limitsFor("lab").mailWindowMs).toBe(1_000_000);
    expect(config.limitsFor("lab-1").mailWindowMs).toBe(600_000);
    // One entry, the best: lab-big-* says nothing of the mail window, so lab-*'s does not apply.
    expect(config.limitsFor("lab-big-1")).toEqual({ ...DEFAULT_LIMITS, maxConnections: 20_000 });
    expect(config.limitsFor("lobby")).toEqual({ ...DEFAULT_LIMITS, maxConnections: 100 });
    expect(config.limitsFor("lab").maxConnections).toBe(DEFAULT_LIMITS.maxConnections);
    // The relay-wide limits stay those of LIMITS and the defaults.
    expect(config.limits).toEqual(DEFAULT_LIMITS);
  });

  it("lays the entry over LIMITS over the defaults; rooms no entry matches have LIMITS", () => {
    const config = configOf({
      LIMITS: JSON.stringify({ maxNameLength: 16, mailWindowMs: 60_000 }),
      ROOM_LIMITS: JSON.stringify({ "lab-*": { mailWindowMs: 600_000 } }),
    });
    expect(config.limitsFor("lab-1")).toEqual({
      ...DEFAULT_LIMITS,
      maxNameLength: 16,
      mailWindowMs: 600_000,
    });
    expect(config.limitsFor("lobby")).toEqual({
      ...DEFAULT_LIMITS,
      maxNameLength: 16,
      mailWindowMs: 60_000,
    });
    expect(config.limitsFor("lobby")).toEqual(config.limits);
  });

  it("takes an unset, empty or blank ROOM_LIMITS for none", () => {
    for (const ROOM_LIMITS of ["", "  "]) {
      const config = configOf({ ROOM_LIMITS });
      expect(config.roomLimits).toBeUndefined();
      expect(config.limitsFor("lab-1")).toEqual(DEFAULT_LIMITS);
    }
    expect(configOf({}).limitsFor("x")).toEqual(DEFAULT_LIMITS);
  });

  it.each([
    [
      "not JSON",
      "{lab: 1}",
      'ROOM_LIMITS must be JSON like {"lab-*": {"mailWindowMs": 600000}}, got "{lab: 1}"',
    ],
    [
      "not an object",
      "[1]",
      'ROOM_LIMITS must be an object of limits by room, like {"lab-*": {"mailWindowMs": 600000}}, got an array',
    ],
    ["null", "null", "ROOM_LIMITS must be an object of limits by room, like"],
    [
      "a pattern that matches no room",
      '{"_lab*": {"maxDepth": 4}}',
      'ROOM_LIMITS: the pattern "_lab*" matches no room',
    ],
    ["an empty pattern", '{"": {"maxDepth": 4}}', 'ROOM_LIMITS: the pattern "" matches no room'],
    [
      "an entry that is no object",
      '{"lab": 5}',
      'ROOM_LIMITS: the limits of "lab" must be an object of limits, got 5',
    ],
    [
      "an unknown limit",
      '{"lab": {"mailWindow": 5}}',
      'ROOM_LIMITS: the limits of "lab": unknown limit "mailWindow"',
    ],
    [
      "a value that is no positive integer",
      '{"lab-*": {"mailWindowMs": 0}}',
      'ROOM_LIMITS: the limits of "lab-*": limit "mailWindowMs" must be a positive integer',
    ],
    [
      "limits that contradict each other",
      '{"*": {"maxMailFrames": 600000}}',
      'ROOM_LIMITS: the limits of "*": limits "maxRoomMailFrames" and "maxRoomMailBytes" must be at least',
    ],
  ])("refuses %s", (_, text, problem) => {
    expect(problemOf({ ROOM_LIMITS: text })).toContain(problem);
  });

  it("checks each entry together with LIMITS, and names the pattern", () => {
    // Valid over the defaults, not over these LIMITS.
    const LIMITS = JSON.stringify({ maxFrameBytes: 2_097_152, maxMailBytes: 4_194_304 });
    const ROOM_LIMITS = JSON.stringify({ "lab-*": { maxMailBytes: 1_048_576 } });
    expect(configOf({ ROOM_LIMITS }).limitsFor("lab-1").maxMailBytes).toBe(1_048_576);
    expect(readRelayVariables({ LIMITS, ROOM_LIMITS })).toEqual({
      ok: false,
      kind: "range",
      problem:
        'ROOM_LIMITS: the limits of "lab-*": limit "maxMailBytes" must be at least "maxFrameBytes" (2097152), or a large frame could never be kept',
    });
    // A bad LIMITS is the problem named, whatever ROOM_LIMITS holds.
    expect(problemOf({ LIMITS: '{"maxDepth": 0}', ROOM_LIMITS: "[" })).toBe(
      'LIMITS: limit "maxDepth" must be a positive integer',
    );
  });

  it("names the setting as the caller knows it", () => {
    const given = { limits: { maxNameLength: 8 }, roomLimits: { lab: { maxNameLength: 65 } } };
    expect(checkRelayConfig(given, (setting) => `options.${setting}`)).toEqual({
      ok: false,
      kind: "range",
      problem: 'options.roomLimits: the limits of "lab": limit "maxNameLength" may not exceed 64',
    });
    expect(checkRelayConfig({ roomLimits: "lab" }, (setting) => `options.${setting}`)).toEqual({
      ok: false,
      kind: "type",
      problem:
        'options.roomLimits must be an object of limits by room, like {"lab-*": {"mailWindowMs": 600000}}, got "lab"',
    });
    // A field set to undefined counts as left out, as in `limits`.
    const lenient = checkRelayConfig({
      roomLimits: { lab: { maxDepth: undefined, maxTargets: 9 } },
    });
    expect(lenient.ok && lenient.config.roomLimits).toEqual({ lab: { maxTargets: 9 } });
  });

  it("round-trips through the Worker's variables", () => {
    const checked = checkRelayConfig({
      limits: { maxNameLength: 16 },
      roomLimits: { "lab-*": { mailWindowMs: 600_000 }, lobby: { maxConnections: 50 } },
    });
    if (!checked.ok) throw new Error(checked.problem);
    const variables = relayVariables(checked.config);
    expect(JSON.parse(variables.ROOM_LIMITS ?? "")).toEqual({
      "lab-*": { mailWindowMs: 600_000 },
      lobby: { maxConnections: 50 },
    });
    const read = configOf(variables);
    expect(read.roomLimits).toEqual(checked.config.roomLimits);
    for (const room of ["lab-1", "lobby", "other"]) {
      expect(read.limitsFor(room)).toEqual(checked.config.limitsFor(room));
    }
    expect(read.limitsFor("lab-1")).toMatchObject({ maxNameLength: 16, mailWindowMs: 600_000 });
    expect(relayVariables(configOf({})).ROOM_LIMITS).toBeUndefined();
  });

  it("leaves the room policy's matching as it was", () => {
    const config = configOf({
      ROOM_PASSWORD: "pw",
      ROOM_POLICY: JSON.stringify({ lab: "open", "lab-*": "password", "*": "open" }),
    });
    expect(["lab", "lab-1", "lobby"].map((room) => config.policyFor(room))).toEqual([
      "open",
      "password",
      "open",
    ]);
    expect(configOf({ ROOM_PASSWORD: "pw" }).policyFor("x")).toBe("password");
    expect(problemOf({ ROOM_POLICY: '{"": "open"}' })).toContain(
      'ROOM_POLICY: the pattern "" matches no room',
    );
  });
});

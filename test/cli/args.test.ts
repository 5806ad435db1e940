import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/args.js";
import { closest, editDistance } from "../../src/cli/closest.js";

const SECRET = "s3cret-0123456789-0123456789-0123456789";
const OTHER_SECRET = "other-0123456789-0123456789-0123456789";
const NOW = 1_800_000_000_000;

/** The message of the UsageError that parsing `argv` throws. */
function refusal(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseArgs(argv, env, NOW);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`parsed: ${argv.join(" ")}`);
}

describe("wscomsrv serve's command line", () => {
  it("has the defaults of the seed and of the relay", () => {
    expect(parseArgs([])).toEqual({
      command: "serve",
      host: "127.0.0.1",
      port: 8888,
      persist: undefined,
      password: undefined,
      roomPolicy: undefined,
      tokenKeys: undefined,
      allowedOrigins: undefined,
      limits: undefined,
      roomLimits: undefined,
      quiet: false,
    });
  });

  it("reads every room option", () => {
    const keys = JSON.stringify({ k1: SECRET, "k-2": OTHER_SECRET });
    expect(
      parseArgs([
        "serve",
        "--policy",
        '{"lab-*":"token","pw":"password","*":"open"}',
        "--token-keys",
        keys,
        "--allowed-origins",
        "https://app.example, http://localhost:3000,null",
        "--limits",
        '{"maxNameLength":16,"maxDepth":32}',
        "--room-limits",
        '{"lab-*":{"mailWindowMs":600000,"maxDepth":32},"*":{"maxConnections":50}}',
        "--password",
        "pw",
      ]),
    ).toMatchObject({
      password: "pw",
      roomPolicy: { "lab-*": "token", pw: "password", "*": "open" },
      tokenKeys: { k1: SECRET, "k-2": OTHER_SECRET },
      allowedOrigins: ["https://app.example", "http://localhost:3000", "null"],
      // maxDepth 32 is the default: only what differs is passed on.
      limits: { maxNameLength: 16 },
      // Every field of an entry is kept, the relay's default or not: it wins over --limits.
      roomLimits: { "lab-*": { mailWindowMs: 600_000, maxDepth: 32 }, "*": { maxConnections: 50 } },
    });
    expect(parseArgs(["--policy", " token "])).toMatchObject({ roomPolicy: "token" });
    expect(parseArgs(["--limits", '{"maxDepth":32}'])).toMatchObject({ limits: undefined });
  });

  it("takes the password and the token keys from the environment, the flags first", () => {
    const env = {
      WSCOMSRV_PASSWORD: "env-pw",
      WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: SECRET }),
    };
    expect(parseArgs([], env)).toMatchObject({ password: "env-pw", tokenKeys: { k1: SECRET } });
    expect(
      parseArgs(["--password", "pw", "--token-keys", JSON.stringify({ k9: OTHER_SECRET })], env),
    ).toMatchObject({ password: "pw", tokenKeys: { k9: OTHER_SECRET } });
    expect(parseArgs([], { WSCOMSRV_PASSWORD: "", WSCOMSRV_TOKEN_KEYS: "" })).toMatchObject({
      password: undefined,
      tokenKeys: undefined,
    });
  });

  it.each([
    [
      ["--limits", '{"maxNameLength":0}'],
      '--limits: limit "maxNameLength" must be a positive integer',
    ],
    [["--limits", '{"maxNameLength":65}'], '--limits: limit "maxNameLength" may not exceed 64'],
    [
      ["--limits", '{"maxNameLength":1.5}'],
      '--limits: limit "maxNameLength" must be a positive integer',
    ],
    [["--limits", '{"frames":1}'], '--limits: unknown limit "frames"'],
    [
      ["--limits", "{maxDepth:4}"],
      '--limits must be JSON like {"maxNameLength": 16}, got "{maxDepth:4}"',
    ],
    [["--limits", "null"], "--limits: limits must be a JSON object"],
    [["--limits", "[1]"], "--limits: limits must be a JSON object"],
    [["--policy", "closed"], "--policy must be open, password, token, or a JSON object"],
    [
      ["--policy", '{"lab":"closed"}'],
      '--policy: the policy of "lab" must be "open", "password" or "token", got "closed"',
    ],
    [["--policy", '{"_x*":"open"}'], '--policy: the pattern "_x*" matches no room'],
    [["--policy", '["open"]'], "--policy must be open, password, token, or a JSON object like"],
    [
      ["--room-limits", '{"lab-*":{"mailWindowMs":0}}'],
      '--room-limits: the limits of "lab-*": limit "mailWindowMs" must be a positive integer',
    ],
    [
      ["--room-limits", "{lab:{}}"],
      '--room-limits must be JSON like {"lab-*": {"mailWindowMs": 600000}}, got "{lab:{}}"',
    ],
    [["--room-limits", '["lab"]'], "--room-limits must be an object of limits by room, like"],
    [["--room-limits", '{"_x*":{}}'], '--room-limits: the pattern "_x*" matches no room'],
    [
      ["--room-limits", '{"lab":{"maxFrameBytes":33554432}}'],
      '--room-limits: the limits of "lab": limit "maxEventBytes" must be at least "maxFrameBytes"',
    ],
    [
      // Checked over --limits: valid over the defaults alone.
      [
        "--limits",
        '{"maxFrameBytes":2097152,"maxMailBytes":4194304}',
        "--room-limits",
        '{"lab":{"maxMailBytes":1048576}}',
      ],
      '--room-limits: the limits of "lab": limit "maxMailBytes" must be at least "maxFrameBytes" (2097152)',
    ],
    [
      ["--allowed-origins", "https://app.example/"],
      '--allowed-origins: "https://app.example/" is not an origin',
    ],
    [
      ["--allowed-origins", "https://App.example"],
      '--allowed-origins: "https://App.example" is not an origin',
    ],
    [["--allowed-origins", "*"], '--allowed-origins: "*" is not an origin'],
    [["--allowed-origins", " , "], "--allowed-origins needs at least one origin"],
    [["--port", "65536"], '--port must be a number from 0 to 65535, got "65536"'],
    [["--host", ""], "--host must not be empty"],
    [["--name", "A"], "--name is a flag of `wscomsrv token`, not of `serve`"],
    [["serve", "extra"], "unexpected argument after `serve`"],
    [["start"], 'unknown command "start"; the commands are serve and token'],
    [["serv"], 'unknown command "serv"; did you mean serve?'],
    [["--prot", "9000"], "unknown flag --prot; did you mean --port?"],
    [["--Port", "9000"], "unknown flag --Port; did you mean --port?"],
    [["--pers", "dir"], "unknown flag --pers; did you mean --persist?"],
    [["--passwrd=pw"], "unknown flag --passwrd; did you mean --password?"],
    [["--frobnicate"], "unknown flag --frobnicate; `wscomsrv --help` lists the flags"],
    [
      ["-x"],
      "unknown flag -x; the short flags are -p (--port), -q (--quiet), -h (--help) and -v (--version)",
    ],
    [["--port"], "--port needs a value: a port from 0 to 65535, like 9000"],
    [["-p"], "-p (--port) needs a value: a port from 0 to 65535, like 9000"],
    [
      ["--port", "--quiet"],
      "--port needs a value: a port from 0 to 65535, like 9000 (a value that starts with - goes as --port=VALUE)",
    ],
    [["--port", "-1"], '--port must be a number from 0 to 65535, got "-1"'],
    [["--quiet=yes"], "--quiet takes no value"],
    [["--persist", ""], "--persist must not be empty: give a directory, like .relay-state"],
    [
      ["serve", "9000"],
      "unexpected argument after `serve`: each value follows its flag, like --port 9000",
    ],
  ])("refuses %j", (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });

  it.each([
    [
      ["--token-keys", JSON.stringify({ k1: SECRET.slice(0, 31) })],
      '--token-keys: the secret of "k1" needs at least 32 bytes',
    ],
    [
      ["--token-keys", JSON.stringify({ [SECRET]: "k1" })],
      "--token-keys: a key id is 1 to 32 of A-Z a-z 0-9 _ -, and one is not",
    ],
    [
      ["--token-keys", JSON.stringify({ k1: 42 })],
      '--token-keys: the secret of "k1" must be a string',
    ],
    [["--token-keys", `{"k1":"${SECRET}"`], '--token-keys must be JSON like {"keyId": "secret"}'],
    [
      ["--token-keys", `["${SECRET}"]`],
      '--token-keys must be a JSON object like {"keyId": "secret"}',
    ],
    [["--token-keys", ""], "--token-keys must not be empty"],
  ])("refuses bad token keys without showing a secret: %#", (argv, message) => {
    const text = refusal(argv);
    expect(text).toBe(message);
    expect(text).not.toContain(SECRET.slice(0, 31));
  });

  it("names the variable when the keys came from the environment", () => {
    expect(refusal([], { WSCOMSRV_TOKEN_KEYS: `{"k1":"${SECRET.slice(0, 31)}"}` })).toBe(
      'WSCOMSRV_TOKEN_KEYS: the secret of "k1" needs at least 32 bytes',
    );
  });
});

describe("wscomsrv token's command line", () => {
  const base = ["token", "--room", "lab", "--name", "Scope 1", "--key-id", "k1"];

  it("is valid for 3600 s by default, or until --exp", () => {
    expect(parseArgs([...base, "--secret", SECRET])).toEqual({
      command: "token",
      room: "lab",
      name: "Scope 1",
      keyId: "k1",
      secret: SECRET,
      expiry: { ttlSeconds: 3_600 },
    });
    expect(parseArgs([...base, "--secret", SECRET, "--ttl", "60"])).toMatchObject({
      expiry: { ttlSeconds: 60 },
    });
    expect(parseArgs([...base, "--secret", SECRET, "--exp", "1800000001"], {}, NOW)).toMatchObject({
      expiry: { exp: 1_800_000_001 },
    });
    expect(parseArgs([...base, "--secret", SECRET, "--ttl", "31622400"])).toMatchObject({
      expiry: { ttlSeconds: 31_622_400 },
    });
    expect(parseArgs([...base, "--secret", SECRET, "--exp", "1831622400"], {}, NOW)).toMatchObject({
      expiry: { exp: 1_831_622_400 },
    });
  });

  it("takes the secret from --secret, else WSCOMSRV_TOKEN_SECRET, else WSCOMSRV_TOKEN_KEYS", () => {
    const keys = JSON.stringify({ k0: OTHER_SECRET, k1: SECRET });
    expect(
      parseArgs([...base, "--secret", SECRET], {
        WSCOMSRV_TOKEN_SECRET: OTHER_SECRET,
        WSCOMSRV_TOKEN_KEYS: keys,
      }),
    ).toMatchObject({ secret: SECRET });
    expect(
      parseArgs(base, { WSCOMSRV_TOKEN_SECRET: SECRET, WSCOMSRV_TOKEN_KEYS: "{}" }),
    ).toMatchObject({ secret: SECRET });
    expect(parseArgs(base, { WSCOMSRV_TOKEN_SECRET: "", WSCOMSRV_TOKEN_KEYS: keys })).toMatchObject(
      { secret: SECRET },
    );
  });

  it.each([
    [["token", "--name", "A", "--key-id", "k1"], "`wscomsrv token` needs --room ROOM"],
    [["token", "--room", "lab", "--key-id", "k1"], "`wscomsrv token` needs --name NAME"],
    [["token", "--room", "lab", "--name", "A"], "`wscomsrv token` needs --key-id ID"],
    [["token", "--room", "_x", "--name", "A", "--key-id", "k1"], "--room: a room name holds only"],
    [
      ["token", "--room", "lab", "--name", "server", "--key-id", "k1"],
      '--name: the name "server" is reserved',
    ],
    [
      ["token", "--room", "lab", "--name", " A", "--key-id", "k1"],
      "--name: the name may not start or end with a space",
    ],
    [
      ["token", "--room", "lab", "--name", "A", "--key-id", "k 1"],
      '--key-id must be 1 to 32 of A-Z a-z 0-9 _ -, got "k 1"',
    ],
    [[...base], 'no secret for the key "k1": give --secret, or set WSCOMSRV_TOKEN_SECRET'],
    [[...base, "--secret", ""], "--secret must not be empty"],
    [
      [...base, "--secret", SECRET, "--ttl", "0"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "0"',
    ],
    [
      [...base, "--secret", SECRET, "--ttl", "1h"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "1h"',
    ],
    [
      [...base, "--secret", SECRET, "--exp", "1800000000"],
      "--exp 1800000000 is in the past (now is 1800000000)",
    ],
    [
      [...base, "--secret", SECRET, "--ttl", "31622401"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "31622401"',
    ],
    [
      [...base, "--secret", SECRET, "--exp", "1831622401"],
      "--exp 1831622401 is more than 31622400 seconds from now (now is 1800000000)",
    ],
    [
      [...base, "--secret", SECRET, "--exp", "soon"],
      '--exp must be a time in whole seconds since 1970, like 1800003600 (in an hour), got "soon"',
    ],
    [
      [...base, "--secret", SECRET, "--ttl", "5", "--exp", "1900000000"],
      "give --ttl or --exp, not both",
    ],
    [[...base, "--port", "1"], "--port is a flag of `wscomsrv serve`, not of `token`"],
    [
      [...base, "--secret", SECRET, "--ttl", "-5"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "-5"',
    ],
    [
      [...base, "--secret", SECRET, "--ttl=-5"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "-5"',
    ],
    [
      [...base, "--secret", SECRET, "--ttl", "1.5"],
      '--ttl must be a whole number of seconds from 1 to 31622400, got "1.5"',
    ],
    [[...base, "--secret", SECRET, "--tll", "60"], "unknown flag --tll; did you mean --ttl?"],
  ])("refuses %j", (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });

  it.each([
    [[...base, "--secret", SECRET.slice(0, 31)], {}, "--secret needs at least 32 bytes"],
    [
      base,
      { WSCOMSRV_TOKEN_SECRET: SECRET.slice(0, 31) },
      "WSCOMSRV_TOKEN_SECRET needs at least 32 bytes",
    ],
    [
      base,
      { WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: SECRET.slice(0, 31) }) },
      'WSCOMSRV_TOKEN_KEYS: the secret of "k1" needs at least 32 bytes',
    ],
    [[...base, "--secret"], {}, "--secret needs a value: the signing key's secret"],
    [
      [...base, "--secret", "-s3cret-0123456789-0123456789-0123456789"],
      {},
      "--secret needs a value: the signing key's secret (a value that starts with - goes as --secret=VALUE)",
    ],
    [
      [...base, SECRET.slice(0, 31)],
      {},
      "unexpected argument after `token`: each value follows its flag, like --port 9000 (`wscomsrv --help` lists them)",
    ],
  ])("refuses a bad secret without showing it: %#", (argv, env, message) => {
    const text = refusal(argv, env);
    expect(text).toBe(message);
    expect(text).not.toContain(SECRET.slice(0, 31));
  });
});

describe("the closest flag", () => {
  it("is suggested only when it is close", () => {
    expect(editDistance("prot", "port")).toBe(1);
    expect(editDistance("", "port")).toBe(4);
    expect(editDistance("limits", "room-limits")).toBe(5);
    expect(closest("hots", ["host", "port"])).toBe("host");
    expect(closest("lmits", ["limits", "room-limits"])).toBe("limits");
    expect(closest("xyz", ["host", "port"])).toBeUndefined();
    expect(closest("po", ["port", "policy"])).toBeUndefined();
  });
});

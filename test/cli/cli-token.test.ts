/**
 * `wscomsrv token` and token rooms of `wscomsrv serve`: a token the CLI mints lets a client
 * into the room under its name, a socket without one gets 401, and neither the token nor the
 * secret ever shows in the relay's output.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "wscomsrv-protocol";
import { verifyToken } from "../../src/server/index.js";
import { cmd } from "../support/inbox.js";
import { stop } from "../support/process.js";
import { freshRoom } from "../support/relay.js";
import { identifyAs } from "../support/session.js";
import { openSocket, refusal, runCli, servingClis } from "./cli-child.js";

const serve = servingClis();

/** A secret no other test uses, 48 bytes. */
function newSecret(): string {
  return `secret-${crypto.randomUUID()}-0123456`;
}

/** Mints a token with the CLI; checks that it printed the token alone, and nothing else. */
async function mint(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const run = await runCli(["token", ...args], env);
  expect(run).toMatchObject({ status: 0, stderr: "" });
  expect(run.stdout).toMatch(/^v1\.[^\s.]+\.[^\s.]+\.[^\s.]+\n$/);
  return run.stdout.trim();
}

/** The offer of a client with a token: `wscomsrv` and `wscomsrv.token.<token>`. */
const withToken = (token: string) => [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];

describe("wscomsrv token", () => {
  it("mints a token the relay's rules accept, valid for an hour by default", async () => {
    const secret = newSecret();
    const before = Math.floor(Date.now() / 1000);
    const token = await mint(["--room", "lab", "--name", "Scope 1", "--key-id", "k1"], {
      WSCOMSRV_TOKEN_SECRET: secret,
    });
    const check = await verifyToken(token, "lab", new Map([["k1", secret]]));
    expect(check).toMatchObject({ ok: true, claims: { room: "lab", name: "Scope 1" } });
    const exp = check.ok ? check.claims.exp : 0;
    expect(exp).toBeGreaterThanOrEqual(before + 3_600);
    expect(exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3_600);
    expect(await verifyToken(token, "other", new Map([["k1", secret]]))).toMatchObject({
      ok: false,
      reason: "token is for another room",
    });
  });

  it("takes --exp or --ttl, and the secret from --secret or WSCOMSRV_TOKEN_KEYS", async () => {
    const secret = newSecret();
    const keys = new Map([["k2", secret]]);
    const exp = Math.floor(Date.now() / 1000) + 86_400;
    const fixed = await mint(
      ["--room", "lab", "--name", "A", "--key-id", "k2", "--secret", secret, "--exp", `${exp}`],
      { WSCOMSRV_TOKEN_SECRET: "" },
    );
    expect(await verifyToken(fixed, "lab", keys)).toMatchObject({ claims: { exp } });
    const short = await mint(["--room", "lab", "--name", "A", "--key-id", "k2", "--ttl", "60"], {
      WSCOMSRV_TOKEN_SECRET: "",
      WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: newSecret(), k2: secret }),
    });
    const check = await verifyToken(short, "lab", keys);
    expect(check.ok && check.claims.exp - Date.now() / 1000).toBeLessThanOrEqual(60);
    // Expired one minute from now.
    expect(await verifyToken(short, "lab", keys, Date.now() + 61_000)).toMatchObject({
      ok: false,
      reason: "expired token",
    });
  });

  it("refuses a bad command line with 2 on stderr, and never prints the secret", async () => {
    const secret = "x".repeat(31);
    const runs = await Promise.all([
      runCli(["token", "--room", "lab", "--name", "A", "--key-id", "k1", "--secret", secret]),
      runCli(["token", "--room", "lab", "--name", "A", "--key-id", "k1"], {
        WSCOMSRV_TOKEN_SECRET: "",
        WSCOMSRV_TOKEN_KEYS: "",
      }),
    ]);
    expect(runs).toEqual([
      {
        status: 2,
        stdout: "",
        stderr: "wscomsrv: --secret needs at least 32 bytes\n",
      },
      {
        status: 2,
        stdout: "",
        stderr: expect.stringContaining('wscomsrv: no secret for the key "k1": give --secret'),
      },
    ]);
  });
});

describe("wscomsrv serve --policy token", () => {
  it("lets in a client with a token the CLI minted, and answers 401 without one", async () => {
    const secret = newSecret();
    const { child, address } = await serve([
      "--policy",
      "token",
      "--token-keys",
      JSON.stringify({ k1: secret }),
    ]);
    expect(child.output()).toContain("access: every room needs a token");
    expect(child.output()).toContain("token keys: k1\n");
    const room = freshRoom();
    const token = await mint(
      ["--room", room, "--name", "Scope1", "--key-id", "k1", "--secret", secret],
      { WSCOMSRV_TOKEN_SECRET: "" },
    );

    const inbox = await openSocket(`${address}/${room}`, withToken(token));
    expect(inbox.socket instanceof WebSocket && inbox.socket.protocol).toBe(SUBPROTOCOL);
    await identifyAs(inbox, "Scope1");
    await child.waitFor(new RegExp(`\\[${room}\\] "Scope1" identified`), 5_000);

    expect(await refusal(`${address}/${room}`, [SUBPROTOCOL])).toEqual({
      status: 401,
      body: `room "${room}" needs a token\n`,
    });
    const forAnotherRoom = await mint(
      ["--room", freshRoom(), "--name", "Scope1", "--key-id", "k1", "--secret", secret],
      { WSCOMSRV_TOKEN_SECRET: "" },
    );
    expect(await refusal(`${address}/${room}`, withToken(forAnotherRoom))).toMatchObject({
      status: 401,
    });
    const otherKey = await mint(
      ["--room", room, "--name", "Scope1", "--key-id", "k1", "--secret", newSecret()],
      { WSCOMSRV_TOKEN_SECRET: "" },
    );
    expect(await refusal(`${address}/${room}`, withToken(otherKey))).toEqual({
      status: 401,
      body: "bad token signature\n",
    });
  });

  it("binds the socket to the token's name", async () => {
    const secret = newSecret();
    const { address } = await serve(["--policy", "token"], {
      WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: secret }),
    });
    const room = freshRoom();
    const token = await mint(["--room", room, "--name", "Scope1", "--key-id", "k1"], {
      WSCOMSRV_TOKEN_SECRET: secret,
    });
    const inbox = await openSocket(`${address}/${room}`, withToken(token));
    await inbox.take(2);
    inbox.send(cmd("indentify", { name: "Scope2" }, "server", "Scope2"));
    expect(await inbox.closed()).toMatchObject({ code: 4003 });
  });

  it("keeps the token and the secret out of its output and, with the variable, out of `ps`", async () => {
    const secret = newSecret();
    const { child, address } = await serve(["--policy", '{"tok-*":"token","*":"open"}'], {
      WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: secret }),
    });
    const cmdline = readFileSync(`/proc/${child.process.pid}/cmdline`, "utf8");
    expect(cmdline).toContain("--policy");
    expect(cmdline).not.toContain(secret);
    expect(child.output()).toContain("access: by room: tok-* token, * open");

    const room = `tok-${freshRoom()}`;
    const token = await mint(["--room", room, "--name", "Scope1", "--key-id", "k1"], {
      WSCOMSRV_TOKEN_SECRET: "",
      WSCOMSRV_TOKEN_KEYS: JSON.stringify({ k1: secret }),
    });
    // Accepted, taken over (a token for the name is proof enough), refused, and closed.
    const first = await identifyAs(
      await openSocket(`${address}/${room}`, withToken(token)),
      "Scope1",
    );
    const second = await identifyAs(
      await openSocket(`${address}/${room}`, withToken(token)),
      "Scope1",
    );
    expect(await first.closed()).toMatchObject({ code: 4010 });
    const forged = token.slice(0, -2);
    expect(await refusal(`${address}/${room}?token=${forged}`)).toMatchObject({ status: 401 });
    second.socket.close(1000);
    await child.waitFor(new RegExp(`\\[${room}\\] "Scope1" disconnected \\(code 1000\\)`), 5_000);
    expect(await stop(child)).toBe(0);

    const output = child.output();
    expect(output).toContain(`[${room}] "Scope1" was replaced by a new connection`);
    const [, , payload = "", signature = ""] = forged.split(".");
    for (const leak of [secret, forged, payload, signature]) expect(output).not.toContain(leak);
  });
});

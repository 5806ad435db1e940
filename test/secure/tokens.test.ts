import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../src/auth/base64url.js";
import { MAX_TOKEN_LIFETIME_SECONDS, mintToken, verifyToken } from "../../src/auth/token.js";
import { cmd } from "../support/inbox.js";
import { ROTATED_KEY, TEST_KEY } from "../support/secure-env.js";
import { commandOf, expectQuiet } from "../support/session.js";
import { join, open, upgrade } from "../worker/connect.js";

const tokenRoom = () => `tok-${crypto.randomUUID()}`;
const mint = (room: string, name: string, key = TEST_KEY, ttlSeconds = 60) =>
  mintToken({ room, name, ttlSeconds }, key);
const keys = new Map([[TEST_KEY.id, TEST_KEY.secret]]);
const utf8 = new TextEncoder();
/** A token whose payload is `json`, correctly signed with the test key. */
async function signed(json: string): Promise<string> {
  const head = `v1.${TEST_KEY.id}.${toBase64Url(utf8.encode(json))}`;
  const key = await crypto.subtle.importKey(
    "raw",
    utf8.encode(TEST_KEY.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, utf8.encode(head));
  return `${head}.${toBase64Url(new Uint8Array(signature))}`;
}
/** `text` with the lowest bit of its last base64url character flipped. */
function flipLastBit(text: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(text.at(-1) ?? "");
  return `${text.slice(0, -1)}${alphabet[last ^ 1]}`;
}
const asSubprotocol = (token: string) => ({
  "sec-websocket-protocol": `wscomsrv, wscomsrv.token.${token}`,
});

describe("tokens", () => {
  it("let a socket into a token room, by subprotocol or by query string", async () => {
    const room = tokenRoom();
    const response = await upgrade(room, asSubprotocol(await mint(room, "A")));
    expect(response.status).toBe(101);
    expect(response.headers.get("sec-websocket-protocol")).toBe("wscomsrv");
    const viaQuery = await upgrade(`${room}?token=${await mint(room, "B")}`);
    expect(viaQuery.status).toBe(101);
  });

  it.each([
    ["no token", async (_room: string) => "", "needs a token"],
    [
      "a token for another room",
      async (_room: string) => mint("tok-elsewhere", "A"),
      "another room",
    ],
    [
      "an expired token",
      async (room: string) => mintToken({ room, name: "A", exp: 1 }, TEST_KEY),
      "expired",
    ],
    [
      "an unknown key",
      async (room: string) => mint(room, "A", { id: "k9", secret: TEST_KEY.secret }),
      "unknown token key",
    ],
    [
      "a forged signature",
      async (room: string) => `${(await mint(room, "A")).slice(0, -4)}AAAA`,
      "signature",
    ],
    ["garbage", async (_room: string) => "v1.k1.%%%.%%%", "malformed"],
  ])("refuse %s with 401 and no upgrade", async (_what, make, reason) => {
    const room = tokenRoom();
    const token = await make(room);
    const response = await upgrade(room, token === "" ? {} : asSubprotocol(token));
    expect(response.status).toBe(401);
    expect(response.webSocket).toBeNull();
    expect(await response.text()).toContain(reason);
  });

  it("accept a token signed with a rotated key", async () => {
    const room = tokenRoom();
    expect((await upgrade(room, asSubprotocol(await mint(room, "A", ROTATED_KEY)))).status).toBe(
      101,
    );
  });

  it("bind the socket to the token's name", async () => {
    const room = tokenRoom();
    const inbox = await open(room, asSubprotocol(await mint(room, "Scope")));
    await inbox.take(2);
    inbox.send(cmd("identify", { name: "Mallory", capabilities: ["errors"] }));
    expect(await inbox.next()).toMatchObject({ data: { code: "NAME_MISMATCH" } });
    expect(await inbox.closed()).toEqual({ code: 4003, reason: "name mismatch" });

    const right = await open(room, asSubprotocol(await mint(room, "Scope")));
    await right.take(2);
    right.send(cmd("identify", { name: "Scope", capabilities: ["errors"] }));
    expect(commandOf(await right.next())).toBe("identified");
  });

  it("let a token for a name take it over from a socket that still holds it", async () => {
    const room = tokenRoom();
    const token = await mint(room, "Scope");
    const old = await open(room, asSubprotocol(token));
    await old.take(2);
    old.send(cmd("identify", { name: "Scope", capabilities: ["errors"] }));
    await old.next();
    const fresh = await open(room, asSubprotocol(token));
    await fresh.take(2);
    fresh.send(cmd("identify", { name: "Scope", capabilities: ["errors"] }));
    expect(commandOf(await fresh.next())).toBe("identified");
    expect(await old.closed()).toMatchObject({ code: 4010 });
  });

  it("are checked in open rooms too when given, and never needed there", async () => {
    const room = `open-${crypto.randomUUID()}`;
    expect((await upgrade(room, asSubprotocol("v1.k1.bad.bad"))).status).toBe(401);
    const a = await join(room, "A");
    const b = await join(room, "B");
    await expectQuiet(a, b, "A", "B");
  });

  it("verify only what they sign", async () => {
    const token = await mint("tok-x", "A");
    const keys = new Map([[TEST_KEY.id, TEST_KEY.secret]]);
    expect(await verifyToken(token, "tok-x", keys)).toMatchObject({
      ok: true,
      claims: { name: "A" },
    });
    const [v, kid, , signature] = token.split(".");
    const other = btoa(JSON.stringify({ room: "tok-x", name: "B", exp: 4102444800 }))
      .replaceAll("=", "")
      .replaceAll("+", "-")
      .replaceAll("/", "_");
    expect(await verifyToken(`${v}.${kid}.${other}.${signature}`, "tok-x", keys)).toEqual({
      ok: false,
      reason: "bad token signature",
    });
  });

  it("refuse to mint with a short secret or a bad name", async () => {
    await expect(
      mintToken({ room: "r", name: "A", ttlSeconds: 1 }, { id: "k", secret: "short" }),
    ).rejects.toThrow(TypeError);
    await expect(mintToken({ room: "r", name: "server", ttlSeconds: 1 }, TEST_KEY)).rejects.toThrow(
      "reserved",
    );
  });

  it("never answer with the token's own subprotocol", async () => {
    const room = tokenRoom();
    const token = await mint(room, "A");
    const response = await upgrade(room, { "sec-websocket-protocol": `wscomsrv.token.${token}` });
    expect(response.status).toBe(101);
    expect(response.headers.get("sec-websocket-protocol") ?? "").not.toContain(token);
  });

  it("verify only the one spelling of a token", async () => {
    // 44 bytes of payload: its last character carries two unused bits, as the signature's does.
    const token = await mint("tok-x", "A");
    const [v, kid, payload = "", signature = ""] = token.split(".");
    expect(payload.length % 4).not.toBe(0);
    expect(await verifyToken(token, "tok-x", keys)).toMatchObject({ ok: true });
    const spellings = [
      [payload, `${signature}=`],
      [`${payload}=`, signature],
      [payload, flipLastBit(signature)],
      [flipLastBit(payload), signature],
      [payload, `${signature}A`],
      [payload, signature.slice(0, -1)],
      [payload, `${signature}${signature}`],
      [payload, `${signature.slice(0, -1)}+`],
      [`${payload.slice(0, -1)}/`, signature],
    ];
    for (const [p, s] of spellings) {
      const check = await verifyToken(`${v}.${kid}.${p}.${s}`, "tok-x", keys);
      expect(check.ok ? "verified" : check.reason, `${p}.${s}`).toContain("malformed token");
    }
  });

  it("verify only payloads of exactly room, name and whole-second exp", async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const refusals: [string, string][] = [
      [`{"room":"tok-x","name":"A","exp":${exp},"admin":true}`, "exactly room, name and exp"],
      [`{"room":"tok-x","name":"A"}`, "exactly room, name and exp"],
      [`{"room":"tok-x","name":"A","exp":"${exp}"}`, "exactly room, name and exp"],
      [`{"room":"tok-x","name":"A","exp":${exp},"__proto__":{}}`, "exactly room, name and exp"],
      [`["tok-x","A",${exp}]`, "exactly room, name and exp"],
      [`{"room":"tok-x","name":"A","exp":${exp}.5}`, "not a whole number"],
      ["not json", "not JSON"],
      [
        `{"room":"tok-x","name":"server","exp":${exp}}`,
        'token name is not a valid name: the name "server" is reserved',
      ],
      [
        `{"room":"tok-x","name":"","exp":${exp}}`,
        "token name is not a valid name: the name is empty",
      ],
      [`{"room":"tok-x","name":" A","exp":${exp}}`, "token name is not a valid name"],
      [`{"room":"tok-x","name":"A\\u0000","exp":${exp}}`, "token name is not a valid name"],
      [
        `{"room":"tok-x","name":"alice\\ufe0f","exp":${exp}}`,
        "token name is not a valid name: the name holds an invisible character U+FE0F",
      ],
    ];
    for (const [json, reason] of refusals) {
      const check = await verifyToken(await signed(json), "tok-x", keys);
      expect(check.ok ? "verified" : check.reason, json).toContain(reason);
    }
    const room = await verifyToken(
      await signed(`{"room":"tok x","name":"A","exp":${exp}}`),
      "tok x",
      keys,
    );
    expect(room).toEqual({
      ok: false,
      reason: expect.stringContaining("token room is not a valid room name: "),
    });
    const reordered = await signed(`{"name":"A","exp":${exp},"room":"tok-x"}`);
    expect(await verifyToken(reordered, "tok-x", keys)).toEqual({
      ok: true,
      claims: { room: "tok-x", name: "A", exp },
    });
  });

  it(`verify no token that lives longer than ${MAX_TOKEN_LIFETIME_SECONDS} s`, async () => {
    const now = 1_800_000_000_000;
    const at = (exp: string) => signed(`{"room":"tok-x","name":"A","exp":${exp}}`);
    const last = now / 1000 + MAX_TOKEN_LIFETIME_SECONDS;
    expect(await verifyToken(await at(`${last}`), "tok-x", keys, now)).toMatchObject({ ok: true });
    for (const exp of [`${last + 1}`, "1e300", "9007199254740993"]) {
      expect(await verifyToken(await at(exp), "tok-x", keys, now), exp).toEqual({
        ok: false,
        reason: `token expires too late: more than ${MAX_TOKEN_LIFETIME_SECONDS} s from now`,
      });
    }
    const room = tokenRoom();
    const far = await signed(`{"room":"${room}","name":"A","exp":4102444800000}`);
    const response = await upgrade(room, asSubprotocol(far));
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("too late");
  });

  it(`refuse to mint a token that lives longer than ${MAX_TOKEN_LIFETIME_SECONDS} s`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const expiries = [
      { ttlSeconds: MAX_TOKEN_LIFETIME_SECONDS + 1 },
      { ttlSeconds: 1e300 },
      { ttlSeconds: Number.POSITIVE_INFINITY },
      { ttlSeconds: Number.NaN },
      { ttlSeconds: 1.5 },
      { exp: now + MAX_TOKEN_LIFETIME_SECONDS + 10 },
      { exp: 1e300 },
      { exp: now + 0.5 },
      { exp: -1 },
    ];
    for (const expiry of expiries) {
      await expect(
        mintToken({ room: "r", name: "A", ...expiry }, TEST_KEY),
        JSON.stringify(expiry),
      ).rejects.toThrow(TypeError);
    }
    const longest = await mintToken(
      { room: "r", name: "A", ttlSeconds: MAX_TOKEN_LIFETIME_SECONDS },
      TEST_KEY,
    );
    expect(await verifyToken(longest, "r", keys)).toMatchObject({ ok: true });
  });
});

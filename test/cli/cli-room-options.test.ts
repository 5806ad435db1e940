/**
 * The room options of `wscomsrv serve` (`--limits`, `--room-limits`, `--allowed-origins`,
 * `--policy`, `--token-keys`) reach the relay; bad values, and configurations the relay
 * refuses, exit 2.
 */

import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { freshRoom } from "../support/relay.js";
import { commandOf, identifyAs, sync } from "../support/session.js";
import { openSocket, refusal, runCli, servingClis } from "./cli-child.js";

const serve = servingClis();

describe("wscomsrv serve, room options", () => {
  it("--limits: a name longer than maxNameLength is refused with BAD_NAME and 4002", async () => {
    const { child, address } = await serve(["--limits", '{"maxNameLength":4}']);
    expect(child.output()).toContain("limits: maxNameLength 4, others the relay's defaults");
    const room = freshRoom();
    const long = await openSocket(`${address}/${room}`);
    await long.take(2);
    long.send(cmd("indentify", { name: "Player1", capabilities: ["errors"] }, "server", "Player1"));
    const error = await long.next();
    expect(error).toMatchObject({ type: "error", data: { code: "BAD_NAME" } });
    expect(await long.closed()).toMatchObject({ code: 4002 });
    await child.waitFor(new RegExp(`\\[${room}\\] identify refused for "Player1": BAD_NAME`));
    await identifyAs(await openSocket(`${address}/${room}`), "Abcd");
  });

  it("--room-limits: a room its entry matches has that entry over --limits; other rooms not", async () => {
    const { child, address } = await serve([
      "--limits",
      '{"maxNameLength":8}',
      "--room-limits",
      '{"short-*":{"maxNameLength":4}}',
    ]);
    expect(child.output()).toContain("limits: maxNameLength 8, others the relay's defaults\n");
    expect(child.output()).toContain("limits by room: short-* maxNameLength 4\n");
    const room = `short-${freshRoom()}`;
    const a = await identifyAs(await openSocket(`${address}/${room}`), "A");
    const long = await openSocket(`${address}/${room}`);
    await long.take(2);
    long.send(cmd("indentify", { name: "Abcde", capabilities: ["errors"] }, "server", "Abcde"));
    expect(await long.next()).toMatchObject({ type: "error", data: { code: "BAD_NAME" } });
    expect(await long.closed()).toMatchObject({ code: 4002 });
    await child.waitFor(new RegExp(`\\[${room}\\] identify refused for "Abcde": BAD_NAME`));
    expect(await sync(a, "A")).toEqual([]);
    await identifyAs(await openSocket(`${address}/${freshRoom()}`), "Abcde");
  });

  it("--allowed-origins: another Origin gets 403, a listed one gets in", async () => {
    const { child, address } = await serve([
      "--allowed-origins",
      "https://app.example, http://localhost:3000",
    ]);
    expect(child.output()).toContain("origins: https://app.example, http://localhost:3000\n");
    const room = freshRoom();
    expect(
      await refusal(`${address}/${room}`, [], { origin: "https://evil.example" }),
    ).toMatchObject({ status: 403 });
    const allowed = await openSocket(`${address}/${room}`, [], { origin: "http://localhost:3000" });
    const [identify] = await allowed.take(2);
    expect(commandOf(identify ?? {})).toBe("indentify");
    // Not a browser: no Origin header, nothing to check.
    await identifyAs(await openSocket(`${address}/${room}`), "NoOrigin");
  });

  it("--policy with --password: the rooms it names ask for the password", async () => {
    const { child, address } = await serve(["--policy", '{"pw-*":"password"}'], {
      WSCOMSRV_PASSWORD: "pw-0123",
    });
    expect(child.output()).toContain("access: by room: pw-* password, * password");
    const [identify] = await (await openSocket(`${address}/pw-${freshRoom()}`)).take(2);
    expect(identify?.data).toMatchObject({ kwargs: { requires_password: true } });
  });

  it("exits with 2 and says why for a bad value, before starting anything", async () => {
    const secret = "s".repeat(40);
    const [limits, roomLimits, keys] = await Promise.all([
      runCli(["serve", "--port", "0", "--limits", '{"maxNameLength":65}']),
      runCli(["serve", "--port", "0", "--room-limits", '{"lab-*":{"maxNameLength":65}}']),
      runCli(["serve", "--port", "0"], { WSCOMSRV_TOKEN_KEYS: `{"k1":"${secret.slice(0, 31)}"}` }),
    ]);
    expect(limits).toEqual({
      status: 2,
      stdout: "",
      stderr: 'wscomsrv: --limits: limit "maxNameLength" may not exceed 64\n',
    });
    expect(roomLimits).toEqual({
      status: 2,
      stdout: "",
      stderr:
        'wscomsrv: --room-limits: the limits of "lab-*": limit "maxNameLength" may not exceed 64\n',
    });
    expect(keys).toMatchObject({ status: 2, stdout: "" });
    expect(keys.stderr).toContain(
      'WSCOMSRV_TOKEN_KEYS: the secret of "k1" needs at least 32 bytes',
    );
    expect(keys.stderr).not.toContain(secret.slice(0, 31));
  });

  it("exits with 2 when the relay refuses the configuration, naming the flag", async () => {
    const noKeys = await runCli(["serve", "--port", "0", "--policy", "token"], {
      WSCOMSRV_TOKEN_KEYS: "",
    });
    expect(noKeys).toMatchObject({ status: 2, stdout: "" });
    expect(noKeys.stderr).toBe(
      'wscomsrv: the relay refuses this configuration: room policy "token" for "*" needs TOKEN_KEYS (--token-keys)\n',
    );
    const noPassword = await runCli(["serve", "--port", "0", "--policy", "password"], {
      WSCOMSRV_PASSWORD: "",
    });
    expect(noPassword).toMatchObject({ status: 2, stdout: "" });
    expect(noPassword.stderr).toContain("needs ROOM_PASSWORD (--password)");
  });

  it("--help documents every flag of serve and token, and their variables", async () => {
    const help = await runCli(["--help"]);
    expect(help.status).toBe(0);
    for (const flag of [
      "--policy POLICY",
      "--token-keys JSON",
      "--allowed-origins LIST",
      "--limits JSON",
      "--room-limits JSON",
      "mailWindowMs",
      "wscomsrv token [options]",
      "--room ROOM",
      "--name NAME",
      "--key-id ID",
      "--secret SECRET",
      "--ttl SECONDS",
      "(default 3600)",
      "--exp UNIX",
      "WSCOMSRV_PASSWORD",
      "WSCOMSRV_TOKEN_KEYS",
      "WSCOMSRV_TOKEN_SECRET",
      "heartbeatTimeoutMs",
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });
});

import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { ALLOWED_ORIGIN, TEST_PASSWORD } from "../support/secure-env.js";
import { commandOf, sync } from "../support/session.js";
import { open, upgrade } from "../worker/connect.js";

describe("room policies", () => {
  it("asks for the password in password rooms only", async () => {
    const pw = await open(`pw-${crypto.randomUUID()}`);
    const [askPw] = await pw.take(2);
    expect(askPw).toMatchObject({ data: { kwargs: { requires_password: true } } });
    const openRoom = await open(`lab-${crypto.randomUUID()}`);
    const [askOpen] = await openRoom.take(2);
    expect(askOpen).toMatchObject({ data: { kwargs: { requires_password: false } } });
  });

  it("takes the right password and refuses a wrong one", async () => {
    const room = `pw-${crypto.randomUUID()}`;
    const inbox = await open(room);
    await inbox.take(2);
    inbox.send(cmd("identify", { name: "A", password: "nope", capabilities: ["errors"] }));
    expect(await inbox.next()).toMatchObject({
      data: { code: "BAD_PASSWORD", message: "wrong password" },
    });
    expect((await inbox.take(3)).map(commandOf)).toEqual([
      "password_reset",
      "indentify",
      "set_time",
    ]);
    inbox.send(cmd("identify", { name: "A", password: TEST_PASSWORD }));
    expect(await sync(inbox, "A")).toEqual([]);
  });
});

describe("a socket that holds a name in a password room", () => {
  it("is told ALREADY_IDENTIFIED for another identify, and keeps its name", async () => {
    const room = `pw-${crypto.randomUUID()}`;
    const inbox = await open(room);
    await inbox.take(2);
    inbox.send(cmd("identify", { name: "A", password: TEST_PASSWORD, capabilities: ["errors"] }));
    expect(commandOf(await inbox.next())).toBe("identified");
    inbox.send(cmd("identify", { name: "Other" }));
    expect(await inbox.next()).toMatchObject({ data: { code: "ALREADY_IDENTIFIED" } });
    expect(await sync(inbox, "A")).toEqual([]);
  });
});

describe("origins", () => {
  it("let in browsers from an allowed origin, and clients that send none", async () => {
    const room = `lab-${crypto.randomUUID()}`;
    expect((await upgrade(room, { origin: ALLOWED_ORIGIN })).status).toBe(101);
    expect((await upgrade(room, { origin: "https://other.example" })).status).toBe(101);
    expect((await upgrade(room)).status).toBe(101);
  });

  it("refuse any other origin with 403, before the room is touched", async () => {
    const response = await upgrade(`lab-${crypto.randomUUID()}`, {
      origin: "https://evil.example",
    });
    expect(response.status).toBe(403);
    expect(response.webSocket).toBeNull();
    expect(await response.text()).toContain("https://evil.example");
  });
});

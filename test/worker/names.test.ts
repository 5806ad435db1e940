import { describe, expect, it } from "vitest";
import { cmd } from "../support/inbox.js";
import { expectQuiet } from "../support/session.js";
import { freshRoom, join, open } from "./connect.js";

describe("names", () => {
  it.each([
    ["server", "reserved"],
    ["*", "reserved"],
    ["", "empty"],
    ["x".repeat(65), "longer than 64"],
    [" padded", "start or end with a space"],
    ["tab\there", "only letters"],
    ["zero\u200bwidth", "invisible character U+200B"],
    ["bidi\u202eevil", "invisible character U+202E"],
    ["alice\u{FE0F}", "invisible character U+FE0F"],
    ["\u3164", "invisible character U+3164"],
    ["a\u034fb", "invisible character U+034F"],
    ["alice\u{E0100}", "invisible character U+E0100"],
    ["e\u0301", "NFC"],
    [42, "must be a string"],
  ])("refuses the name %j with BAD_NAME and close 4002", async (name, reason) => {
    const room = freshRoom();
    const witness = await join(room, "Witness");
    const other = await join(room, "Other");
    const inbox = await open(room);
    await inbox.take(2);
    inbox.send(cmd("identify", { name, capabilities: ["errors"] }));
    const error = await inbox.next();
    expect(error).toMatchObject({ type: "error", from: "server", data: { code: "BAD_NAME" } });
    expect((error.data as { message: string }).message).toContain(reason);
    expect(await inbox.closed()).toEqual({ code: 4002, reason: "bad name" });
    await expectQuiet(witness, other, "Witness", "Other");
  });

  it("accepts names with letters of any script, digits, spaces and separators", async () => {
    const room = freshRoom();
    const a = await join(room, "Oszilloskop 2-Kanal/A");
    const b = await join(room, "Ωμέγα_1.2:3@x#y+z-w");
    b.send({ type: "t", data: 1, target: "Oszilloskop 2-Kanal/A" });
    expect(await a.next()).toMatchObject({ from: "Ωμέγα_1.2:3@x#y+z-w" });
  });

  it("refuses a name that another socket holds, with NAME_TAKEN and close 4009", async () => {
    const room = freshRoom();
    const holder = await join(room, "A");
    const b = await join(room, "B");
    const twin = await open(room);
    await twin.take(2);
    twin.send(cmd("identify", { name: "A", capabilities: ["errors"] }));
    expect(await twin.next()).toMatchObject({ type: "error", data: { code: "NAME_TAKEN" } });
    expect(await twin.closed()).toEqual({ code: 4009, reason: "name taken" });
    b.send({ type: "t", data: "still yours", target: "A" });
    expect(await holder.next()).toMatchObject({ data: "still yours", from: "B" });
  });

  it("closes a seed client that takes a held name without sending it an extension frame", async () => {
    const room = freshRoom();
    await join(room, "A");
    const twin = await open(room);
    await twin.take(2);
    twin.send(cmd("indentify", { name: "A" }));
    expect(await twin.closed()).toEqual({ code: 4009, reason: "name taken" });
    expect(twin.pending).toEqual([]);
  });

  it("ignores what a refused socket sent after the frame that got it closed", async () => {
    const room = freshRoom();
    const witness = await join(room, "Witness");
    const inbox = await open(room);
    await inbox.take(2);
    inbox.send(cmd("identify", { name: "server" }));
    inbox.send(cmd("identify", { name: "Sneaky" }));
    inbox.send({ type: "t", data: "sneaked", target: "Witness" });
    expect(await inbox.closed()).toMatchObject({ code: 4002 });
    witness.send(cmd("list_clients", {}, "server"));
    expect(await witness.next()).toMatchObject({ data: { kwargs: { names: ["Witness"] } } });
  });
});

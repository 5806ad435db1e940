import { expect, it } from "vitest";
import { WebSocketClient } from "../../src/client/node.js";
import { invisibleDisagreements } from "../support/invisible-chars.js";

it("checks names for invisible characters in Node as the relay does in workerd", () => {
  expect(invisibleDisagreements()).toEqual([]);
});

it("refuses to be a client whose name holds an invisible character", () => {
  expect(() => new WebSocketClient("alice\u{FE0F}")).toThrow(
    'invalid client name "alice\u{FE0F}": the name holds an invisible character U+FE0F',
  );
  expect(() => new WebSocketClient("\u3164")).toThrow("invisible character U+3164");
});

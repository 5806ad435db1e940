/**
 * Which workerd lines are left out of what a user sees: {@link isBenignRuntimeLine} (the
 * local relay's filter) and the test run's output filter over it, as plain functions on lines
 * workerd prints.
 */

import { describe, expect, it } from "vitest";
import { isBenignRuntimeLine } from "../../src/server/runtime-log.js";
import { quietFilter } from "../support/quiet-output.js";

const WORKERD = "/work/node_modules/@cloudflare/workerd-linux-64/bin/workerd";
const STACK = `stack: ${WORKERD}@3a4d6a0 ${WORKERD}@3a4d9d0 ${WORKERD}@65cd945`;
const PIPE =
  "uncaught exception; exception = kj/compat/http.c++:4051: disconnected: other end of WebSocketPipe was destroyed";
const RESET =
  "uncaught exception; exception = workerd/api/actor-state.c++:1249: failed: broken.outputGateBroken; jsg.Error: reset by the test";

describe("isBenignRuntimeLine", () => {
  it("takes workerd's reports of a peer that disconnected mid-operation", () => {
    expect(isBenignRuntimeLine(PIPE)).toBe(true);
    expect(isBenignRuntimeLine(`${PIPE}\n${STACK}`)).toBe(true);
    expect(
      isBenignRuntimeLine(
        "workerd/server/server.c++:2533: error: Uncaught exception: kj/async.c++:212: disconnected: operation canceled",
      ),
    ).toBe(true);
    expect(
      isBenignRuntimeLine("kj/compat/http.c++:1: disconnected: WebSocket peer disconnected"),
    ).toBe(true);
  });

  it("keeps every other line: the Worker's own output, errors, other disconnects", () => {
    expect(isBenignRuntimeLine("other end of WebSocketPipe was destroyed")).toBe(false);
    expect(isBenignRuntimeLine("room lobby: frame handler failed Error: boom")).toBe(false);
    expect(isBenignRuntimeLine(RESET)).toBe(false);
    expect(
      isBenignRuntimeLine("kj/async-io-unix.c++:186: disconnected: write(fd): Broken pipe"),
    ).toBe(false);
    expect(isBenignRuntimeLine("kj/compat/http.c++:1: failed: WebSocket peer disconnected")).toBe(
      false,
    );
  });
});

describe("the test run's output filter", () => {
  it("drops a quiet line with the address stack after it, in one chunk or two", () => {
    expect(quietFilter()(`${PIPE}\n${STACK}\n`)).toBe("");
    expect(quietFilter()(`${RESET}\n${STACK}\n`)).toBe("");
    const filter = quietFilter();
    expect(filter(`${RESET}\n`)).toBe("");
    expect(filter(`${STACK}\n`)).toBe("");
  });

  it("writes everything else as it came, a stack that follows a kept line included", () => {
    const error = "workerd/io/worker.c++:1: error: a real failure";
    const filter = quietFilter();
    expect(filter(`${error}\n${STACK}\n`)).toBe(`${error}\n${STACK}\n`);
    expect(filter(`before\n${PIPE}\n${STACK}\nafter\n`)).toBe("before\nafter\n");
    expect(filter(`${STACK}\n`)).toBe(`${STACK}\n`);
    expect(filter("no newline")).toBe("no newline");
  });
});

import { describe, expect, it } from "vitest";
import { formatClientEvent, formatConsoleEntry } from "../../src/cli/log-format.js";
import { decodeRuntimeLog } from "../../src/server/runtime-log.js";

const timestamp = new Date(2026, 10, 26, 12, 0, 1).getTime();
const line = (message: string, level = "log") => decodeRuntimeLog({ timestamp, level, message });
const formatted = (message: string) => {
  const decoded = line(message);
  return decoded.kind === "client"
    ? formatClientEvent(decoded.event)
    : formatConsoleEntry(decoded.entry);
};

describe("the relay's log lines", () => {
  it("decodes each event the Worker logs into one readable line", () => {
    expect(formatted('{"event":"connect","room":"lobby"}')).toBe(
      "12:00:01 [lobby] a client connected",
    );
    expect(formatted('{"event":"identified","room":"lobby","name":"Player1"}')).toBe(
      '12:00:01 [lobby] "Player1" identified',
    );
    expect(
      formatted('{"event":"refused","room":"lobby","name":"Player1","reason":"NAME_TAKEN"}'),
    ).toBe('12:00:01 [lobby] identify refused for "Player1": NAME_TAKEN');
    expect(formatted('{"event":"replaced","room":"lobby","name":"Player1"}')).toBe(
      '12:00:01 [lobby] "Player1" was replaced by a new connection',
    );
    expect(formatted('{"event":"timeout","room":"lobby","reason":"identify timeout"}')).toBe(
      "12:00:01 [lobby] an unidentified client timed out: identify timeout",
    );
    expect(formatted('{"event":"close","room":"lobby","name":"Player1","code":1000}')).toBe(
      '12:00:01 [lobby] "Player1" disconnected (code 1000)',
    );
    expect(formatted('{"event":"close","room":"lobby","code":1006}')).toBe(
      "12:00:01 [lobby] an unidentified client disconnected (code 1006)",
    );
    expect(formatted('{"event":"error","room":"lobby","name":"A","message":"reset"}')).toBe(
      '12:00:01 [lobby] "A" failed: reset',
    );
  });

  it("keeps a client's text from forging or garbling a line", () => {
    expect(formatted('{"event":"identified","room":"lobby","name":"A\\n12:00:02 [x] B"}')).toBe(
      '12:00:01 [lobby] "A\\n12:00:02 [x] B" identified',
    );
    expect(formatted('{"event":"error","room":"lobby","message":"\\u001b[31mred"}')).toBe(
      "12:00:01 [lobby] an unidentified client failed: \\u001b[31mred",
    );
  });

  it("passes other lines on as console entries, first line only", () => {
    expect(
      line("room lobby: frame handler failed Error: boom\n    at f (x.js:1:1)", "error"),
    ).toMatchObject({ kind: "console", entry: { level: "error" } });
    expect(formatted("room lobby: frame handler failed Error: boom\n    at f (x.js:1:1)")).toBe(
      "12:00:01 log: room lobby: frame handler failed Error: boom …",
    );
    // Not an event: unknown name, missing field, not JSON.
    expect(line('{"event":"dance","room":"lobby"}').kind).toBe("console");
    expect(line('{"event":"close","room":"lobby"}').kind).toBe("console");
    expect(line('{"event":"connect"').kind).toBe("console");
  });
});

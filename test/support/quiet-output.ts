/**
 * Keeps known-benign workerd lines out of the test run's output. Cloudflare's Vitest
 * integration writes every line workerd prints for the `worker` and `secure` projects straight
 * to the runner's stdout or stderr, by level (its own list of ignored lines cannot be extended
 * from the configuration), so the filter sits on `process.stdout` and `process.stderr` of the
 * runner, installed as a global setup of those projects in `vitest.config.ts`. It drops only:
 *
 * - workerd's reports of a peer that went away mid-operation ({@link isBenignRuntimeLine},
 *   the filter the local relay applies too);
 * - the uncaught-exception report of the room reset `test/worker/exactly-once-reset.test.ts`
 *   does on purpose (`ctx.abort("reset by the test")`);
 *
 * each with the `stack:` line of addresses that follows it. Every other line is written as
 * it came, errors included.
 *
 * @module
 */

import { isBenignRuntimeLine } from "../../src/server/runtime-log.js";

/** The uncaught-exception line workerd prints for the test's own `ctx.abort()`. */
const TEST_RESET = /broken\.outputGateBroken; jsg\.Error: reset by the test$/;

/** A workerd stack: `stack: ` and addresses (`1035daf07`, or `/path/workerd@3a4d6a0`). */
const ADDRESS_STACK = /^stack:(?: \S*?[0-9a-f]{4,})+$/;

/** Whether `line` is one the run need not show (the `stack:` line after one is handled apart). */
export function isQuietLine(line: string): boolean {
  return isBenignRuntimeLine(line) || TEST_RESET.test(line);
}

/**
 * A filter for text written in chunks: removes each quiet line and the address stack right
 * after it, also when that stack comes in the next chunk.
 */
export function quietFilter(): (text: string) => string {
  let afterQuiet = false;
  return (text) => {
    const lines = text.split("\n");
    const kept: string[] = [];
    for (const [index, line] of lines.entries()) {
      const last = index === lines.length - 1;
      // The piece after the last newline is "" for a chunk that ends a line.
      if (last && line === "") break;
      if (isQuietLine(line)) afterQuiet = true;
      else if (afterQuiet && ADDRESS_STACK.test(line)) afterQuiet = false;
      else {
        afterQuiet = false;
        kept.push(last ? line : `${line}\n`);
      }
    }
    return kept.join("");
  };
}

const INSTALLED = Symbol.for("wscomsrv.quietOutput");

/** Puts a {@link quietFilter} on `stream`, once per process. */
function quietStream(stream: NodeJS.WriteStream & { [INSTALLED]?: true }): void {
  if (stream[INSTALLED]) return;
  stream[INSTALLED] = true;
  const filter = quietFilter();
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== "string") return write(chunk, ...rest);
    const kept = filter(chunk);
    if (kept === chunk) return write(chunk, ...rest);
    if (kept !== "") return write(kept, ...rest);
    const callback = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    if (callback !== undefined) process.nextTick(callback);
    return true;
  }) as typeof stream.write;
}

/** Vitest's global setup: filters the runner's stdout and stderr (see the module's note). */
export default function setup(): void {
  quietStream(process.stdout);
  quietStream(process.stderr);
}

/**
 * The command line of `npm run bench`.
 *
 * @module
 */

import { CLIENT_KINDS, type ClientKind } from "./bench-client.js";

/** What to run. */
export interface BenchOptions {
  smoke: boolean;
  /** Repetitions per scenario and server; the plan's when unset. */
  repetitions: number | undefined;
  /** Scenario ids or prefixes (`throughput` is all three sizes); all when empty. */
  only: string[];
  kinds: ClientKind[];
  /** Where the JSON result goes; `bench/results/<date>.json` when unset. */
  out: string | undefined;
  help: boolean;
}

/** A bad command line. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The help text. */
export const HELP = `npm run bench [-- options]

Runs the relay (workerd) and a bare ws baseline relay, each in its own process, and drives
both from this process with the same clients, alternating relay and baseline.

  --smoke            tiny counts, one repetition: proves the bench works, measures nothing
  --reps N           repetitions per scenario and server (default 5; smoke 1)
  --only a,b         scenarios by id or prefix: throughput, throughput-64B, throughput-1KiB,
                     throughput-64KiB, round-trip, fan-out, idle-memory, connect
  --clients a,b      sdk, seed (default both)
  --out FILE         the JSON result (default bench/results/<date>.json)
  --help             this text

Exit status: 0 when every run completed with no frame lost or reordered, 1 otherwise,
2 for a bad command line.
`;

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * Reads the command line.
 *
 * @throws UsageError for an unknown flag or a bad value.
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    smoke: false,
    repetitions: undefined,
    only: [],
    kinds: [...CLIENT_KINDS],
    out: undefined,
    help: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      i += 1;
      return next;
    };
    switch (flag) {
      case "--smoke":
        options.smoke = true;
        break;
      case "--reps": {
        const text = value();
        const reps = Number(text);
        if (!Number.isInteger(reps) || reps < 1 || reps > 100) {
          throw new UsageError(`--reps must be an integer from 1 to 100, got ${text}`);
        }
        options.repetitions = reps;
        break;
      }
      case "--only":
        options.only = list(value());
        break;
      case "--clients": {
        const kinds = list(value());
        for (const kind of kinds) {
          if (!CLIENT_KINDS.some((known) => known === kind)) {
            throw new UsageError(`--clients takes ${CLIENT_KINDS.join(", ")}, got ${kind}`);
          }
        }
        options.kinds = CLIENT_KINDS.filter((kind) => kinds.includes(kind));
        break;
      }
      case "--out":
        options.out = value();
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return options;
}

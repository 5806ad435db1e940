/**
 * What a bench run does: its command line, and the plan (every count and cap), made by one
 * function from a scale: the full run is the scale 1, the smoke run the scale that only
 * proves the bench works (each count shrunk to the least that still checks something, one
 * repetition).
 *
 * @module
 */

/**
 * The client kinds: `sdk` is `wscomsrv-client` with its defaults (exactly-once `delivery`
 * among them); `sdk-no-delivery` is the same SDK asking only for the capabilities it asked
 * for before `delivery` existed (at most once); `seed` is plain `ws`, the seed's protocol only.
 */
export const CLIENT_KINDS = ["sdk", "sdk-no-delivery", "seed"] as const;

/** A kind of client the bench drives. */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/**
 * The scenarios (ids or prefixes) of the kinds that run only some. `sdk-no-delivery` is there
 * to show what `delivery` costs on the live path, so it runs the scenarios that carry frames
 * (throughput, round trips, fan-out), not the memory and connect ones, which keep the full
 * run's time down.
 */
const KIND_SCENARIOS: Readonly<Partial<Record<ClientKind, readonly string[]>>> = {
  "sdk-no-delivery": ["throughput", "round-trip", "fan-out"],
};

/**
 * Whether scenario `id` is one of `patterns`: an id, or a prefix of ids (`throughput` is
 * `throughput-64B`, `throughput-1KiB` and `throughput-64KiB`).
 *
 * @example
 * ```ts
 * matchesScenario("throughput-64B", ["throughput"]); // true
 * ```
 */
export function matchesScenario(id: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => id === pattern || id.startsWith(`${pattern}-`));
}

/**
 * Whether clients of `kind` run scenario `id` (every kind runs every scenario, except the
 * kinds in {@link KIND_SCENARIOS}).
 *
 * @example
 * ```ts
 * kindRuns("sdk-no-delivery", "connect"); // false
 * ```
 */
export function kindRuns(kind: ClientKind, id: string): boolean {
  const only = KIND_SCENARIOS[kind];
  return only === undefined || matchesScenario(id, only);
}

/** One payload size of the pipelined scenario. */
export interface PayloadSize {
  /** Its name in scenario ids and the table: `64B`, `1KiB`, `64KiB`. */
  label: string;
  /** Bytes of padding in each frame (the envelope adds about 80 more). */
  bytes: number;
  /** Frames per run, warm-up included. */
  frames: number;
}

/** The counts and caps of one bench run. */
export interface Plan {
  mode: "full" | "smoke";
  /** Runs of each scenario on each server (relay, baseline, floor, relay, ...). */
  repetitions: number;
  /** An unmeasured pipelined run on each server and client kind before the first measured one. */
  warmUp: boolean;
  /** The share of each run's frames sent first and left out of the figures. */
  warmUpShare: number;
  /** Most milliseconds a run keeps sending; it then waits for what it sent. */
  capMs: number;
  throughput: { sizes: PayloadSize[]; windowBytes: number; maxWindow: number };
  roundTrip: { count: number; payloadBytes: number };
  fanOut: { receivers: number; frames: number; window: number; payloadBytes: number };
  idleMemory: { clients: number; concurrency: number };
  connect: { clients: number; concurrency: number };
}

/** The scale of the smoke run: 300 of the full run's 40,000 frames. */
const SMOKE_SCALE = 0.0075;

/**
 * The plan of the full run (`"full"`, scale 1) or the smoke run (`"smoke"`): each count is the
 * full run's times the scale, and at least the least that still checks something (which the
 * full run is always above).
 */
export function makePlan(mode: Plan["mode"], repetitions?: number): Plan {
  const scale = mode === "full" ? 1 : SMOKE_SCALE;
  const count = (full: number, least: number): number => Math.max(least, Math.round(full * scale));
  return {
    mode,
    repetitions: repetitions ?? (mode === "full" ? 5 : 1),
    warmUp: mode === "full",
    warmUpShare: 0.1,
    capMs: 10_000,
    throughput: {
      sizes: [
        { label: "64B", bytes: 64, frames: count(40_000, 30) },
        { label: "1KiB", bytes: 1024, frames: count(40_000, 30) },
        { label: "64KiB", bytes: 65_536, frames: count(2_000, 30) },
      ],
      windowBytes: 4 * 1024 * 1024,
      maxWindow: 1_000,
    },
    roundTrip: { count: count(3_000, 100), payloadBytes: 64 },
    fanOut: { receivers: count(100, 10), frames: count(500, 50), window: 10, payloadBytes: 64 },
    idleMemory: { clients: count(1_000, 50), concurrency: count(50, 25) },
    connect: { clients: count(500, 50), concurrency: count(50, 25) },
  };
}

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

Runs the relay (workerd), a bare ws relay (the baseline, Node) and a bare Durable Object
relay (the floor, the relay's workerd), each in its own process, and drives all three from
this process with the same clients, alternating relay, baseline and floor.

  --smoke            tiny counts, one repetition: proves the bench works, measures nothing
  --reps N           repetitions per scenario and server (default 5; smoke 1)
  --only a,b         scenarios by id or prefix: throughput, throughput-64B, throughput-1KiB,
                     throughput-64KiB, round-trip, fan-out, idle-memory, connect
  --clients a,b      sdk, sdk-no-delivery, seed (default all three; sdk-no-delivery runs only
                     throughput, round-trip and fan-out)
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

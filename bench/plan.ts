/**
 * How much each scenario does: the full run, and the smoke run that only proves the bench
 * works (tiny counts, one repetition).
 *
 * @module
 */

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
  /** Runs of each scenario on each server (A B A B ...). */
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

/** `npm run bench`. */
export const FULL_PLAN: Plan = {
  mode: "full",
  repetitions: 5,
  warmUp: true,
  warmUpShare: 0.1,
  capMs: 10_000,
  throughput: {
    sizes: [
      { label: "64B", bytes: 64, frames: 40_000 },
      { label: "1KiB", bytes: 1024, frames: 40_000 },
      { label: "64KiB", bytes: 65_536, frames: 2_000 },
    ],
    windowBytes: 4 * 1024 * 1024,
    maxWindow: 1_000,
  },
  roundTrip: { count: 3_000, payloadBytes: 64 },
  fanOut: { receivers: 100, frames: 500, window: 10, payloadBytes: 64 },
  idleMemory: { clients: 1_000, concurrency: 50 },
  connect: { clients: 500, concurrency: 50 },
};

/** `npm run bench -- --smoke`: every scenario, tiny counts, once. */
export const SMOKE_PLAN: Plan = {
  mode: "smoke",
  repetitions: 1,
  warmUp: false,
  warmUpShare: 0.1,
  capMs: 10_000,
  throughput: {
    sizes: [
      { label: "64B", bytes: 64, frames: 300 },
      { label: "1KiB", bytes: 1024, frames: 300 },
      { label: "64KiB", bytes: 65_536, frames: 30 },
    ],
    windowBytes: 4 * 1024 * 1024,
    maxWindow: 1_000,
  },
  roundTrip: { count: 100, payloadBytes: 64 },
  fanOut: { receivers: 10, frames: 50, window: 10, payloadBytes: 64 },
  idleMemory: { clients: 50, concurrency: 25 },
  connect: { clients: 50, concurrency: 25 },
};

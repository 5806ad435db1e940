/**
 * The scenarios, in the order the bench runs them.
 *
 * @module
 */

import type { Plan } from "../plan.js";
import { connectScenario } from "./connect.js";
import { fanOutScenario } from "./fan-out.js";
import { idleMemoryScenario } from "./idle-memory.js";
import { roundTripScenario } from "./round-trip.js";
import type { Scenario } from "./scenario.js";
import { throughputScenario } from "./throughput.js";

/** Every scenario of `plan`: pipelined per payload size, round trip, fan-out, memory, connect. */
export function scenarios(plan: Plan): Scenario[] {
  return [
    ...plan.throughput.sizes.map(throughputScenario),
    roundTripScenario,
    fanOutScenario,
    idleMemoryScenario,
    connectScenario,
  ];
}

/**
 * Vitest global setup of the worker test projects: builds the room console's page module
 * (src/console/dist/page.js), which the Worker imports, so that they run without a prior
 * `npm run build`.
 */

import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build-console.js"], { stdio: "inherit" });
}

/**
 * The relay's configuration and the schema of its event log: pure code, used alike by the
 * Worker, the embedded server and the CLI.
 *
 * @module
 */

export * from "./going-away.js";
export * from "./log-events.js";
export * from "./relay-config.js";
export * from "./settings.js";

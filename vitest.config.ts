import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { SECURE_BINDINGS, WORKER_BINDINGS } from "./test/support/secure-env.js";

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // The relay logs a line per client event; show it only for tests that fail.
    silent: "passed-only",
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: WORKER_BINDINGS },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // quiet-output: workerd's known-benign lines, which the integration writes unfiltered.
          globalSetup: ["./test/support/build-console.ts", "./test/support/quiet-output.ts"],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: SECURE_BINDINGS },
          }),
        ],
        test: {
          name: "secure",
          include: ["test/secure/**/*.test.ts"],
          // quiet-output: workerd's known-benign lines, which the integration writes unfiltered.
          globalSetup: ["./test/support/build-console.ts", "./test/support/quiet-output.ts"],
        },
      },
      {
        test: {
          name: "node",
          include: [
            "test/e2e/**/*.test.ts",
            "test/client/**/*.test.ts",
            "test/browser/**/*.test.ts",
            "test/server/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/bench/**/*.test.ts",
            "test/faults/**/*.test.ts",
            "test/architecture/**/*.test.ts",
            "test/config/**/*.test.ts",
            "test/package/**/*.test.ts",
          ],
          environment: "node",
          // One worker runs file after file, without a fresh module graph for each: the
          // files start their own relays and close them, and leave no process hook, variable
          // or module state behind (`npx vitest run --project node`: 220 s against 334 s).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

/**
 * Prints one plain closing line, `Summary: N passed, N failed, N skipped`, after the default
 * reporter, so that scripts reading the run's last line need no knowledge of Vitest.
 */

import type { Reporter, TestCase } from "vitest/node";

export default class SummaryReporter implements Reporter {
  #passed = 0;
  #failed = 0;
  #skipped = 0;

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state === "passed") this.#passed += 1;
    else if (state === "failed") this.#failed += 1;
    else this.#skipped += 1;
  }

  onTestRunEnd(): void {
    process.stdout.write(
      `\nSummary: ${this.#passed} passed, ${this.#failed} failed, ${this.#skipped} skipped\n`,
    );
  }
}

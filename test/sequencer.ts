/**
 * Runs the slowest test files first, so on a 2-core runner the long ones
 * (they wait on child processes) overlap with everything else instead of
 * starting last. vitest orders by cached durations, which a clean clone lacks.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const FIRST = [
  "test/scripts/entry.test.ts",
  "test/scripts/check.test.ts",
  "test/policies/stacks.test.ts",
];

export default class SlowFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Runs the slowest test files first, so on a 2-core runner the long ones (they
 * wait on child processes) overlap with everything else instead of starting
 * last. vitest orders by cached durations, which a clean clone lacks.
 */
const FIRST = [
  "test/scripts/entry.test.ts",
  "test/scripts/check.test.ts",
  "test/policies/stacks.test.ts",
];
class SlowFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? FIRST.length : i;
    };
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Loads the six shipped stacks once, as `pulumi up` loads the entry; the entry test judges
    // that load and files that only read a shipped stack use its recording.
    globalSetup: ["test/setup/loadStacks.ts"],
    environment: "node",
    // Forks, not threads: each worker is a whole Node process, as a Pulumi program expects.
    pool: "forks",
    // Files share a worker, which loads node_modules once (half the suite's CPU):
    // test/setup/isolation.ts gives each file a fresh Pulumi runtime and fails a file that
    // leaves process-global state (env, cwd, listeners) changed; spies are restored per test.
    isolate: false,
    setupFiles: ["test/setup/isolation.ts"],
    restoreMocks: true,
    // vitest defaults to (cores - 1) workers, one on a 2-core runner; most files wait on
    // child processes (the pack's gRPC server, the entry load), so two keep both cores busy.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    // The suite runs the shipped example stacks, placeholders included (the check refuses them
    // for real stacks); test/stacks/config.test.ts checks the refusal itself.
    // MLOPS_TODAY: the day the dated support tables (EKS versions) were checked, so verdicts
    // in tests change only when the tables do.
    env: { MLOPS_ALLOW_PLACEHOLDERS: "1", MLOPS_TODAY: "2026-11-22" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

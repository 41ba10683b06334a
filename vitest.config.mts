import { defineConfig } from "vitest/config";
import SlowFirst from "./test/sequencer";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Pulumi mocks are process-global: one file per worker, no shared state.
    pool: "forks",
    // vitest defaults to (cores - 1) workers, one on a 2-core runner; most files wait on
    // child processes (the pack's gRPC server, the entry load), so two keep both cores busy.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

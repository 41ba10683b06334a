import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Pulumi mocks are process-global: one file per worker, no shared state.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

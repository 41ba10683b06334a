/**
 * Bounds for tests that spawn a process while tsc, ESLint and the other vitest worker share
 * the two cores: on a slow day a load that takes 20 s alone took over two minutes there.
 * Generous, and still bounded: a hung child fails with its output instead of stalling CI.
 */
export const SPAWN_TIMEOUT_MS = 480_000;
/** A test (or hook) around one such spawn. */
export const SPAWN_TEST_TIMEOUT_MS = SPAWN_TIMEOUT_MS + 60_000;

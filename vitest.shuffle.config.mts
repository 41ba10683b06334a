/**
 * The suite in a shuffled file order: `npm run test:shuffled` (SEED=<n> repeats an order).
 * Test files share a worker (isolate: false in vitest.config.mts), so a file that passes only
 * after, or only before, another shows up here. Everything else is the suite's own config.
 */
import { mergeConfig } from "vitest/config";
import { BaseSequencer } from "vitest/node";
import suite from "./vitest.config.mjs";

const seed = Number(process.env.SEED ?? Math.floor(Math.random() * 1_000_000));
// Said once, by the run that loads this config (a test importing it runs in a worker).
if (!process.env.VITEST_WORKER_ID)
  console.log(`test:shuffled: file order from seed ${seed} (SEED=${seed} repeats it)`);

export default mergeConfig(suite, {
  test: {
    // vitest's own sequencer shuffles; the suite's (slowest first) only sorts.
    sequence: { sequencer: BaseSequencer, shuffle: { files: true, tests: false }, seed },
  },
});

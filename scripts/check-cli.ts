/**
 * `npm run check`: starts the policy pack's process first (it spends seconds
 * loading the SDK and transpiling the pack), then loads the checker and runs
 * the stack program meanwhile. See ./check.ts; the pack's runner is ./lib/run-pack.cjs.
 */
import { spawnPack } from "./lib/packProcess";

const spawned = spawnPack();
// Loaded after the spawn on purpose: these modules take most of a second to load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require("./check") as typeof import("./check");

main(process.argv.slice(2), undefined, { spawned }).then(
  (code) => {
    spawned.child.kill();
    process.exit(code);
  },
  (e) => {
    console.error(e);
    process.exit(2);
  },
);

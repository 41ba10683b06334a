/**
 * The project's TypeScript files this process has loaded (relative to the repository root,
 * sorted): what ts-node compiled, and what `tsc -p tsconfig.json` must hold. Used by
 * scripts/load-entry.cjs (the program) and scripts/lib/run-pack.cjs (the pack).
 */
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");

module.exports = function compiledFiles() {
  return Object.keys(require.cache)
    .filter(
      (k) => k.startsWith(root + path.sep) && !k.includes(`${path.sep}node_modules${path.sep}`),
    )
    .filter((k) => /\.[cm]?ts$/.test(k))
    .map((k) => path.relative(root, k))
    .sort();
};

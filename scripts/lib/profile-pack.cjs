/**
 * What the policy pack's process spends before it can serve: loads the pack's rules
 * with ts-node registered exactly as @pulumi/pulumi/cmd/run-policy-pack/run.js does
 * (typeCheck: true, no tsconfig in the pack directory), under `node --cpu-prof`.
 * `npm run bench` runs it and summarises the profile.
 */
const path = require("node:path");
const root = path.resolve(__dirname, "..", "..");
process.chdir(path.join(root, "policies"));
const { tsnodeRequire, typescriptRequire } =
  require("@pulumi/pulumi/tsutils").typeScriptRequireStrings();
require(tsnodeRequire).register({
  typeCheck: true,
  skipProject: true,
  compiler: typescriptRequire,
  compilerOptions: {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: "true",
  },
});
require(path.join(root, "policies", "rules", "index.ts"));
process.exit(0);

#!/usr/bin/env node
/**
 * The policy pack's process for `npm run check`, the tests and the bench: the CLI's own runner
 * (@pulumi/pulumi/cmd/run-policy-pack, the same arguments, handlers and gRPC server) with one
 * difference: ts-node transpiles the pack, with SWC, instead of type-checking it.
 *
 * run-policy-pack registers ts-node with `typeCheck: true` (run.js, `run`); type-checking the
 * pack there costs about 5 s of CPU before the analyzer can serve, every run. Here the same
 * registration is made with `transpileOnly` instead, every other option unchanged, and ts-node's
 * `swc` transpiler (@swc/core: the pack served after about 1.1 s instead of 1.7 s with
 * TypeScript's transpiler, measured here on 2026-12-06; `npm run bench` prints it). The type
 * check is `tsc -p tsconfig.json` in `npm test`, whose file list holds every file the pack
 * compiles; test/policies/packRunner.test.ts holds both (and loads the pack through the CLI's
 * type-checked registration too).
 *
 *   node scripts/lib/run-pack.cjs <address> <program>      (cwd: the pack directory)
 *
 * MLOPS_PACK_TYPECHECK=true keeps the CLI's registration as it is.
 * MLOPS_PACK_REPORT=<file>: on SIGTERM, writes {"registered", "used", "files"} there (the
 * options run.js passed, the options ts-node got, the project files it compiled) and exits.
 */
const fs = require("node:fs");
const compiledFiles = require("./compiledFiles.cjs");

const tsutils = require("@pulumi/pulumi/tsutils");
// The ts-node run.js resolves, so its `tsn.register(...)` call reaches this wrapper.
const tsn = require(tsutils.typeScriptRequireStrings().tsnodeRequire);
const register = tsn.register;
const typeCheck = process.env.MLOPS_PACK_TYPECHECK === "true";
let registered;
let used;
tsn.register = (options) => {
  registered = options;
  used = typeCheck ? options : { ...options, typeCheck: false, transpileOnly: true, swc: true };
  return register(used);
};

const report = process.env.MLOPS_PACK_REPORT;
if (report)
  process.on("SIGTERM", () => {
    fs.writeFileSync(report, JSON.stringify({ registered, used, files: compiledFiles() }));
    process.exit(0);
  });

const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js");
process.argv = [process.argv[0], runner, ...process.argv.slice(2)];
require(runner);

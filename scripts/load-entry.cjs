#!/usr/bin/env node
/**
 * Loads the Pulumi program the way `pulumi up` does, without an engine:
 * registers ts-node exactly as @pulumi/pulumi's nodejs runtime does
 * (cmd/run/run.js: the project's ts-node and TypeScript, the project's
 * tsconfig, type checking unless `noCheck`), installs the SDK's mock monitor
 * with the config of Pulumi.<stack>.yaml, then requires the entry named by
 * Pulumi.yaml `main`.
 *
 * Usage: node scripts/load-entry.cjs <stack> [entry-override.ts]
 * Prints one JSON line {"ok":true,"resources":N,"types":{...}} or exits 1 with the error.
 */
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
process.chdir(root);
const [stack = "dev", entryOverride] = process.argv.slice(2);

const yaml = require("yaml");
const project = yaml.parse(fs.readFileSync("Pulumi.yaml", "utf8"));
const entry = path.resolve(root, entryOverride ?? project.main);

// --- the runtime's ts-node registration (mirrors cmd/run/run.js) ---
const tsutils = require("@pulumi/pulumi/tsutils");
const semver = require("semver");
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
const transpileOnly = process.env.PULUMI_NODEJS_TRANSPILE_ONLY
  ? process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true"
  : compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const tsVersion = semver.parse(ts.version);
const useNodeNext = tsVersion && tsVersion.compare(new semver.SemVer("4.7.0")) >= 0;
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
  project: tsConfigPath,
  skipProject: !fs.existsSync(tsConfigPath),
  compilerOptions: {
    target: "ES2020",
    module: useNodeNext ? "nodenext" : "commonjs",
    moduleResolution: useNodeNext ? "nodenext" : "node",
    sourceMap: "true",
    ...compilerOptions,
  },
});

// --- mocks + stack config ---
const pulumi = require("@pulumi/pulumi");
const types = {};
let count = 0;
pulumi.runtime
  .setMocks(
    {
      newResource: (args) => {
        count++;
        types[args.type] = (types[args.type] ?? 0) + 1;
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, name: args.inputs.name ?? args.name },
        };
      },
      call: (args) => {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    project.name,
    stack,
    false,
  )
  .then(async () => {
    const doc = yaml.parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8")) ?? {};
    const config = {};
    for (const [k, v] of Object.entries(doc.config ?? {}))
      config[k] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config, []);
    require(entry);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 100));
    console.log(
      JSON.stringify({
        ok: true,
        typescript: ts.version,
        transpileOnly: !!transpileOnly,
        resources: count,
        types,
      }),
    );
  })
  .catch((err) => {
    console.error(err && err.message ? err.message : String(err));
    process.exit(1);
  });
process.on("unhandledRejection", (err) => {
  console.error(err && err.message ? err.message : String(err));
  process.exit(1);
});

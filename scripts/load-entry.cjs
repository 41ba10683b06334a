#!/usr/bin/env node
/**
 * Loads the Pulumi program the way `pulumi up` does, without an engine:
 * registers ts-node exactly as @pulumi/pulumi's nodejs runtime does
 * (cmd/run/run.js: the project's ts-node and TypeScript, the project's
 * tsconfig, type checking unless `noCheck`), then, for each requested stack,
 * installs the SDK's mock monitor (scripts/lib/mocks.ts, which answers every
 * invoke the program makes on both clouds) with the config of
 * Pulumi.<stack>.yaml and requires the entry named by Pulumi.yaml `main`.
 * TypeScript type-checks the program once; later stacks reuse it.
 *
 * Usage: node scripts/load-entry.cjs <stack>[:<cloud>] ... [--entry <file.ts>] [--record <file>]
 * Prints one JSON line per stack {"stack","cloud","resources","types","files","compiled","compilerOptions"}
 * or exits 1 with the error. --record writes what each stack registered to <file>
 * ({"<stack>[:<cloud>]": {"resources": [...], "invokes": [...], "exports": {...}}};
 * test/setup/loadStacks.ts).
 * PULUMI_NODEJS_TRANSPILE_ONLY=true skips type checking, as it does for `pulumi up`.
 */
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
process.chdir(root);
const argv = process.argv.slice(2);
const valueOf = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const entryOverride = valueOf("--entry");
const recordTo = valueOf("--record");
const targets = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
const stacks = (targets.length ? targets : ["dev"]).map((t) => {
  const [stack, cloud] = t.split(":");
  return { stack, cloud };
});

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
const registeredOptions = {
  target: "ES2020",
  module: useNodeNext ? "nodenext" : "commonjs",
  moduleResolution: useNodeNext ? "nodenext" : "node",
  sourceMap: "true",
  ...compilerOptions,
};
const service = require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
  project: tsConfigPath,
  skipProject: !fs.existsSync(tsConfigPath),
  compilerOptions: registeredOptions,
});

// The runtime loads one stack per process and so compiles each file once; this process loads
// the program again for each stack (a fresh module graph), so it reuses a file's compiled output
// while the file's source is the same. ts-node's require hook calls `service.compile` (index.js,
// registerExtension); a compile that fails is not kept, so a type error fails every stack.
const outputs = new Map();
const compile = service.compile.bind(service);
let compiles = 0;
service.compile = (code, fileName, lineOffset) => {
  const key = `${fileName}\0${lineOffset ?? 0}\0${code}`;
  if (!outputs.has(key)) {
    outputs.set(key, compile(code, fileName, lineOffset));
    compiles++;
  }
  return outputs.get(key);
};

// --- the shared mocks (the same ones the tests and `npm run check` use) ---
const { installMocks, recordExports, settle, stackFileConfig } = require("./lib/mocks.ts");
const compiledFiles = require("./lib/compiledFiles.cjs");

async function load({ stack, cloud }) {
  const overrides = cloud ? { "mlops-platform:cloud": cloud } : {};
  const session = await installMocks({ stack, config: stackFileConfig(stack, overrides) });
  // A fresh program per stack: drop the project's modules, keep the compiled packages.
  for (const key of Object.keys(require.cache))
    if (
      key.startsWith(root) &&
      !key.includes(`${path.sep}node_modules${path.sep}`) &&
      !key.includes(`${path.sep}scripts${path.sep}lib${path.sep}`)
    )
      delete require.cache[key];
  const compilesBefore = compiles;
  const program = require(entry);
  await settle();
  const types = {};
  for (const r of session.resources) types[r.type] = (types[r.type] ?? 0) + 1;
  // The project files this stack compiled (what the runtime's ts-node would type-check).
  const files = compiledFiles().filter((f) => !f.startsWith(`scripts${path.sep}`));
  const recording = {
    resources: session.resources,
    invokes: [...session.invokes],
    exports: await recordExports(program),
  };
  return {
    summary: {
      stack,
      cloud: cloud ?? "stack file",
      resources: session.resources.length,
      types,
      files,
      // Files ts-node compiled for this stack (the first compiles the program; later reuse it).
      compiled: compiles - compilesBefore,
    },
    recording,
  };
}

(async () => {
  const recordings = {};
  for (const target of stacks) {
    const { summary, recording } = await load(target);
    recordings[target.cloud ? `${target.stack}:${target.cloud}` : target.stack] = recording;
    console.log(
      JSON.stringify({
        ok: true,
        typescript: ts.version,
        transpileOnly: !!transpileOnly,
        compilerOptions: registeredOptions,
        ...summary,
      }),
    );
  }
  if (recordTo) fs.writeFileSync(recordTo, JSON.stringify(recordings));
})().catch((err) => {
  console.error(err && err.message ? err.message : String(err));
  process.exit(1);
});
process.on("unhandledRejection", (err) => {
  console.error(err && err.message ? err.message : String(err));
  process.exit(1);
});

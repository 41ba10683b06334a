/**
 * Benchmark (not a test). Every figure is the min and median of several runs, and
 * the README quotes the ratios, which hold across machines better than times do.
 *
 *   npm run bench [-- --runs 5]
 *
 * 1. The offline check against a bare mock run of the same stack, each as its own
 *    process (module loading included), and where the check's time goes.
 * 2. The pack's throughput on a synthetic stack: the rules called in-process, the
 *    real pack through the analyzer's gRPC path, and an empty pack through the same
 *    path (the SDK's own floor), so the pack's share is visible.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { ALLOW_PLACEHOLDERS_ENV } from "../components/model";
import { allRules } from "../policies/rules";
import { recordStack } from "./check";
import { spawnPack } from "./lib/packProcess";
import { PackSession, readPolicyConfig, type EngineResource } from "./lib/policyEngine";
import { runResourceRule } from "./lib/policyInProcess";

const ROOT = path.resolve(__dirname, "..");
const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const SYNTHETIC = 2_000;

interface Stat {
  min: number;
  median: number;
}
const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
};
async function times(n: number, fn: () => Promise<void> | void): Promise<Stat> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return stat(xs);
}
const node =
  (script: string, ...args: string[]) =>
  () => {
    const res = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", script, ...args],
      {
        cwd: ROOT,
        encoding: "utf8",
        // The shipped example stacks carry placeholders; the bench measures them as they are.
        env: { ...process.env, NODE_OPTIONS: "", [ALLOW_PLACEHOLDERS_ENV]: "1" },
      },
    );
    if (res.status !== 0) throw new Error(`${script} failed (${res.status}):\n${res.stderr}`);
  };

function typescriptImplementation(): string {
  const api = fs.realpathSync(require.resolve("typescript"));
  try {
    return fs.realpathSync(require.resolve("@typescript/old", { paths: [path.dirname(api)] }));
  } catch {
    return api;
  }
}

/**
 * CPU time by area in the CLI's start of the pack, to serving: the runner with the CLI's own
 * type-checked registration (MLOPS_PACK_TYPECHECK) under `node --cpu-prof`, stopped through
 * its report hook (SIGTERM, then process.exit, which writes the profile).
 */
async function profilePack(): Promise<[string, number][]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-prof-"));
  try {
    const spawned = spawnPack(undefined, {
      typeCheck: true,
      report: path.join(dir, "report.json"),
      execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
    const exited = new Promise((resolve) => spawned.child.on("exit", resolve));
    await spawned.port;
    spawned.child.kill("SIGTERM");
    await exited;
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))!;
    const prof = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as {
      nodes: { id: number; callFrame: { url: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const urlOf = new Map(prof.nodes.map((n) => [n.id, n.callFrame.url]));
    // Wherever the `typescript` the runtime requires really lives: TypeScript 6.0's package
    // (@typescript/typescript6, installed as `typescript`) re-exports @typescript/old.
    const typescriptDir = `${path.dirname(typescriptImplementation())}/`;
    const by = new Map<string, number>();
    prof.samples.forEach((id, i) => {
      const url = urlOf.get(id) ?? "";
      const area = url.replace(/^file:\/\//, "").startsWith(typescriptDir)
        ? "TypeScript type-checking"
        : url.includes("/ts-node/")
          ? "ts-node"
          : url.startsWith("node:")
            ? "Node module loading"
            : url
              ? "JavaScript (SDK, rules)"
              : "GC, native, idle";
      by.set(area, (by.get(area) ?? 0) + prof.timeDeltas[i] / 1000);
    });
    return [...by.entries()].sort((a, b) => b[1] - a[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A synthetic stack cycling through the resource kinds of a real one. */
function synthetic(n: number, template: EngineResource[]): EngineResource[] {
  const kinds = template.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  return Array.from({ length: n }, (_, i) => {
    const src = kinds[i % kinds.length];
    return {
      ...src,
      urn: `${src.urn}-${i}`,
      name: `${src.name}-${i}`,
      parent: "",
      dependencies: [],
      propertyDependencies: {},
    };
  });
}

const ms = (s: Stat) => `${s.min.toFixed(0)} / ${s.median.toFixed(0)} ms`;
const rate = (n: number, s: Stat) => `${((n / s.median) * 1000).toFixed(0)}/s`;

async function main() {
  process.env[ALLOW_PLACEHOLDERS_ENV] = "1";
  console.log(`mlops-platform bench: min / median of ${RUNS} runs\n`);

  // 1. The offline check against a bare mock run.
  const bare = await times(RUNS, node("scripts/bench-bare.ts", "prod"));
  const check = await times(
    RUNS,
    node("scripts/check-cli.ts", "--stack", "prod", "--format", "json"),
  );
  console.log("offline check of prod (each a fresh process)");
  console.log(`  bare mock run         ${ms(bare)}`);
  console.log(`  npm run check         ${ms(check)}`);
  console.log(
    `  ratio (median)        ${(check.median / bare.median).toFixed(2)}x  (target <= 1.5x)`,
  );

  const t0 = performance.now();
  const starting = PackSession.start();
  const tStart = performance.now();
  const resources = await recordStack("prod");
  const tRecorded = performance.now();
  const pack = await starting;
  const tPack = performance.now();
  await pack.configure(readPolicyConfig("prod"));
  await pack.analyze(resources);
  const tDone = performance.now();
  console.log("  where the check's time goes (this process, warm modules):");
  console.log(`    program under mocks            ${(tRecorded - tStart).toFixed(0)} ms`);
  console.log(
    `    pack process ready (in parallel) ${(tPack - t0).toFixed(0)} ms after start (the CLI's runner, pack transpiled)`,
  );
  console.log(
    `    configure + analyze (gRPC)     ${(tDone - tPack).toFixed(0)} ms for ${resources.length} resources`,
  );
  const cliStart = await times(RUNS, async () =>
    (await PackSession.start(undefined, spawnPack(undefined, { typeCheck: true }))).close(),
  );
  const checkStart = await times(RUNS, async () => (await PackSession.start()).close());
  console.log("  the pack's start alone (spawn to serving):");
  console.log(`    as the check runs it (transpiled)   ${ms(checkStart)}`);
  console.log(
    `    as the CLI runs it (type-checked)   ${ms(cliStart)}  (every pulumi preview --policy-pack pays this)`,
  );
  console.log(
    "  the CLI's start, profiled (node --cpu-prof; ts-node as run-policy-pack registers it; tsc in npm test is the check's type check):",
  );
  for (const [area, spent] of await profilePack())
    console.log(`    ${area.padEnd(30)} ${spent.toFixed(0)} ms`);

  // 2. The pack's throughput.
  const syn = synthetic(SYNTHETIC, resources);
  const custom = syn.filter((r) => r.custom);
  const inProcess = await times(RUNS, () => {
    for (const r of custom)
      for (const rule of allRules)
        if ("validateResource" in rule)
          runResourceRule(rule, r.type, r.inputs, {}, { protect: r.protect, readOnlyCheck: false });
  });
  const grpc = await times(RUNS, async () => {
    await pack.analyze(syn);
  });
  pack.close();
  const empty = await PackSession.start(path.join(ROOT, "scripts", "lib", "empty-pack"));
  await empty.configure({});
  const floor = await times(RUNS, async () => {
    await empty.analyze(syn);
  });
  empty.close();
  console.log(`\npolicy pack on ${SYNTHETIC} synthetic resources (${allRules.length} rules)`);
  console.log(`  rules in-process                 ${ms(inProcess)}  ${rate(SYNTHETIC, inProcess)}`);
  console.log(`  pack through gRPC (as the CLI)   ${ms(grpc)}  ${rate(SYNTHETIC, grpc)}`);
  console.log(`  empty pack through gRPC (floor)  ${ms(floor)}  ${rate(SYNTHETIC, floor)}`);
  console.log(
    `  ratio pack / floor (median)      ${(grpc.median / floor.median).toFixed(2)}x  (target <= 2x)`,
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

/**
 * The offline check of a stack: no cloud account, no Pulumi CLI.
 *
 *   npm run check -- --stack prod [--cloud gcp|aws] [--format text|json|sarif] [--output FILE]
 *
 * The command line is ./check-cli.ts; this module is the checker (tests call main()).
 *
 * Runs the stack program under the Pulumi mock monitor with Pulumi.<stack>.yaml,
 * evaluates the policy pack on the recorded resources with
 * policies/config/<stack>.json the way the engine does (scripts/lib/policyEngine.ts),
 * prints the resource tree and the violations, and exits 1 on any mandatory violation
 * (2 on a usage or program error).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Rule } from "../policies/lib/rule";
import {
  PackSession,
  type PolicyMetadata,
  isBlocking,
  policyConfigFile,
  readPolicyConfig,
  type Diagnostic,
  type EngineResource,
} from "./lib/policyEngine";
import { installMocks, programEntry, settle, stackFileConfig } from "./lib/mocks";
import type { SpawnedPack } from "./lib/packProcess";
import { ALLOW_PLACEHOLDERS_ENV } from "../components/model";

const ROOT = path.resolve(__dirname, "..");
const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

export interface CheckOptions {
  stack: string;
  cloud?: "gcp" | "aws";
  format: Format;
  output?: string;
  /** Accept the shipped examples' placeholders (a real stack must replace them). */
  example?: boolean;
}

export const USAGE =
  "Usage: npm run -s check -- --stack <stack> [--cloud gcp|aws] [--format text|json|sarif] [--output FILE] [--example]\n" +
  "--example accepts the shipped example stacks' placeholders (project id, CIDRs, repo URL); a real stack must replace them.\n" +
  "Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a usage, config or program error.\n" +
  "Use `npm run -s` (or --output) so npm's banner does not precede JSON or SARIF on stdout.";

/** Thrown for --help: not an error, the usage goes to stdout and the exit code is 0. */
export class HelpRequested extends Error {}

export function parseArgs(argv: string[]): CheckOptions {
  const opts: Partial<CheckOptions> = { format: "text" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") throw new HelpRequested(USAGE);
    if (arg === "--example") {
      opts.example = true;
      continue;
    }
    const [flag, inline] = arg.split("=", 2);
    if (!["--stack", "--cloud", "--format", "--output"].includes(flag))
      throw new Error(`unknown argument "${arg}". ${USAGE}`);
    const value = inline ?? argv[++i];
    if (flag === "--stack") opts.stack = value;
    else if (flag === "--cloud") {
      if (value !== "gcp" && value !== "aws")
        throw new Error(`--cloud must be gcp or aws, not "${value}".`);
      opts.cloud = value;
    } else if (flag === "--format") {
      if (!FORMATS.includes(value as Format))
        throw new Error(`--format must be one of ${FORMATS.join(", ")}, not "${value}".`);
      opts.format = value as Format;
    } else if (flag === "--output") opts.output = value;
    else throw new Error(`unknown argument "${arg}". ${USAGE}`);
  }
  if (!opts.stack) throw new Error("--stack is required, e.g. npm run check -- --stack prod");
  return opts as CheckOptions;
}

/** The environment a stack declares (`mlops-platform:environment`), else its name. */
export function stackEnvironment(stack: string): string {
  return stackFileConfig(stack)["mlops-platform:environment"] ?? stack;
}

/** Runs the stack program under mocks and returns what it registered. */
export async function recordStack(stack: string, cloud?: "gcp" | "aws"): Promise<EngineResource[]> {
  const overrides = cloud ? { "mlops-platform:cloud": cloud } : {};
  const session = await installMocks({ stack, config: stackFileConfig(stack, overrides) });
  // Re-run the program from scratch when called for several stacks in one process.
  for (const key of Object.keys(require.cache)) {
    if (
      key.startsWith(ROOT) &&
      !key.includes(`${path.sep}node_modules${path.sep}`) &&
      !key.includes(`${path.sep}policies${path.sep}`)
    ) {
      delete require.cache[key];
    }
  }
  // A plain require, as the Pulumi runtime loads the entry (CommonJS through ts-node).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(programEntry());
  await settle();
  return session.resources;
}

export interface CheckResult {
  stack: string;
  resources: EngineResource[];
  diagnostics: Diagnostic[];
  mandatory: number;
  advisory: number;
  /** The pack's policies as the analyzer reported them (remediation, config schema). */
  policies: PolicyMetadata[];
}

export async function checkStack(
  stack: string,
  resources: EngineResource[],
  pack?: PackSession,
  environment?: string,
): Promise<CheckResult> {
  const own = !pack;
  const session = pack ?? (await PackSession.start());
  try {
    await session.configure(readPolicyConfig(stack, environment));
    const diagnostics = await session.analyze(resources);
    const mandatory = diagnostics.filter(isBlocking).length;
    return {
      stack,
      resources,
      diagnostics,
      mandatory,
      advisory: diagnostics.length - mandatory,
      policies: session.policies,
    };
  } finally {
    if (own) session.close();
  }
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"] as const;

/** Each GPU pool as the cloud will build it: machine type, accelerators, zones. Pure. */
export function gpuPoolLines(resources: EngineResource[]): string[] {
  const lines: string[] = [];
  for (const r of resources) {
    // Recorded inputs are untyped provider properties.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = r.inputs as Record<string, any>;
    if (r.type === "gcp:container/nodePool:NodePool" && p.nodeConfig?.guestAccelerators?.length) {
      const acc = p.nodeConfig.guestAccelerators[0];
      lines.push(
        `GPU pool ${r.name}: ${p.nodeConfig.machineType} with ${acc.count} x ${acc.type}${p.nodeConfig.spot ? " (spot)" : ""}, ${p.autoscaling?.totalMinNodeCount}..${p.autoscaling?.totalMaxNodeCount} nodes in ${(p.nodeLocations ?? []).join(", ") || "every zone of the region"}`,
      );
    } else if (r.type === "aws:eks/nodeGroup:NodeGroup" && p.amiType?.includes("NVIDIA")) {
      lines.push(
        `GPU node group ${r.name}: ${(p.instanceTypes ?? []).join(", ")} (${p.capacityType}), ${p.scalingConfig?.minSize}..${p.scalingConfig?.maxSize} nodes in the private subnets of ${Array.isArray(p.subnetIds) ? `${p.subnetIds.length} zones` : "the pool's zones"}`,
      );
    }
  }
  return lines;
}

/** The resource tree grouped by component, then the violations by severity. */
export function renderText(r: CheckResult, rules: Rule[] = packRules()): string {
  const lines: string[] = [`Stack ${r.stack}: ${r.resources.length} resources`, ""];
  const children = new Map<string, EngineResource[]>();
  for (const res of r.resources)
    children.set(res.parent, [...(children.get(res.parent) ?? []), res]);
  const byUrn = new Set(r.resources.map((x) => x.urn));
  const walk = (res: EngineResource, depth: number) => {
    const kids = children.get(res.urn) ?? [];
    const count = r.diagnostics.filter((d) => d.urn === res.urn).length;
    lines.push(
      `${"  ".repeat(depth)}${kids.length ? "▸" : "-"} ${res.type} ${res.name}${count ? `  (${count} violation${count > 1 ? "s" : ""})` : ""}`,
    );
    for (const k of kids) walk(k, depth + 1);
  };
  for (const root of r.resources.filter((x) => !x.parent || !byUrn.has(x.parent))) walk(root, 0);
  lines.push("");
  lines.push(...gpuPoolLines(r.resources), "");
  const name = (urn: string) => urn.split("::").pop() ?? urn;
  const policy = new Map(r.policies.map((p) => [p.name, p]));
  const fixes = new Map(rules.map((rule) => [rule.name, rule.remediationSteps ?? ""]));
  for (const sev of SEVERITY_ORDER) {
    const ds = r.diagnostics.filter((d) => d.severity === sev);
    if (!ds.length) continue;
    lines.push(`${sev.toUpperCase()} (${ds.length})`);
    for (const d of ds) {
      lines.push(
        `  [${d.enforcementLevel}] ${d.policyName}: ${d.message.split("\n").slice(1).join(" ") || d.message}  <- ${name(d.urn) || "stack"}`,
      );
      const p = policy.get(d.policyName);
      const fix = fixes.get(d.policyName);
      if (fix) lines.push(`      fix: ${fix}`);
      if (p && Object.keys(p.configSchema).length)
        lines.push(
          `      or change its thresholds (${Object.keys(p.configSchema).join(", ")}) in policies/config/${r.stack}.json`,
        );
    }
  }
  lines.push(
    "",
    `${r.mandatory} mandatory, ${r.advisory} advisory violation(s).${r.mandatory ? " Mandatory violations block `pulumi up`." : ""}`,
  );
  return lines.join("\n");
}

export function renderJson(r: CheckResult): string {
  return JSON.stringify(
    {
      stack: r.stack,
      resourceCount: r.resources.length,
      summary: { mandatory: r.mandatory, advisory: r.advisory },
      violations: r.diagnostics.map((d) => ({
        policy: d.policyName,
        enforcementLevel: d.enforcementLevel,
        severity: d.severity,
        message: d.message,
        urn: d.urn,
      })),
    },
    null,
    2,
  );
}

const SECURITY_SEVERITY: Record<string, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};

/**
 * The pack's rule metadata (remediation for text, rule descriptions for SARIF), loaded
 * only when rendering needs it: the pack itself runs in its own process, and loading
 * the rules at start would delay the check by about 0.3 s (JSON needs none of it).
 */
function packRules(): Rule[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../policies/rules") as { allRules: Rule[] }).allRules;
}

/** SARIF 2.1.0 for GitHub code scanning: one rule per policy, results located at the stack file. */
export function renderSarif(r: CheckResult, pack: Rule[] = packRules()): string {
  const rules = pack.map((p) => ({
    id: p.name,
    name: p.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: p.description },
    fullDescription: { text: p.description },
    help: {
      text: p.remediationSteps ?? p.description,
      markdown: `**Fix:** ${p.remediationSteps ?? p.description}`,
    },
    defaultConfiguration: { level: "warning" },
    properties: {
      tags: p.tags ?? [],
      ...(p.severity ? { "security-severity": SECURITY_SEVERITY[p.severity] } : {}),
      ...(p.framework ? { framework: `${p.framework.name} ${p.framework.reference}` } : {}),
    },
  }));
  const index = new Map(rules.map((x, i) => [x.id, i]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "mlops-platform-policies",
            version: "0.1.0",
            informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
            rules,
          },
        },
        results: r.diagnostics.map((d) => ({
          ruleId: d.policyName,
          ruleIndex: index.get(d.policyName) ?? 0,
          level: isBlocking(d) ? "error" : "warning",
          message: { text: d.message.replace(/\n/g, " ") },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: `Pulumi.${r.stack}.yaml` },
                region: { startLine: 1 },
              },
              logicalLocations: [
                { fullyQualifiedName: d.urn || `stack ${r.stack}`, kind: "resource" },
              ],
            },
          ],
          partialFingerprints: { urnPolicy: `${d.urn}|${d.policyName}` },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

/** Where the checker writes; the CLI uses the console, tests capture it. */
export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** What `main` runs on; the CLI (./check-cli.ts) passes the pack it spawned first, tests share one session. */
export interface CheckDeps {
  /** Runs the stack program and returns what it registered. Defaults to {@link recordStack}. */
  record?: (stack: string, cloud?: "gcp" | "aws") => Promise<EngineResource[]>;
  /** A running pack session to reuse (it is configured per stack and left open). */
  pack?: PackSession;
  /** A pack process spawned before this module loaded (the CLI does it to overlap the pack's start). */
  spawned?: SpawnedPack;
  /** The pack's rules for SARIF metadata; loaded lazily when absent. */
  rules?: Rule[];
}

export async function main(
  argv: string[],
  io: CheckIo = { out: (t) => console.log(t), err: (t) => console.error(t) },
  deps: CheckDeps = {},
): Promise<number> {
  let opts: CheckOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(e.message);
      return 0;
    }
    io.err((e as Error).message);
    return 2;
  }
  if (opts.example) {
    process.env[ALLOW_PLACEHOLDERS_ENV] = "1";
    io.err(
      "example mode: the stack file's placeholders are accepted; replace them before `pulumi up`.",
    );
  }
  // The pack's process (the CLI's runner, ts-node transpiling the pack) starts while the
  // program runs: the two are independent, and the start is most of the checker's overhead.
  const starting = deps.pack ? undefined : PackSession.start(undefined, deps.spawned);
  let resources: EngineResource[];
  try {
    resources = await (deps.record ?? recordStack)(opts.stack, opts.cloud);
  } catch (e) {
    void starting?.then(
      (p) => p.close(),
      () => undefined,
    );
    io.err(`The stack program failed (as \`pulumi preview\` would):\n${(e as Error).message}`);
    return 2;
  }
  const pack = deps.pack ?? (await starting!);
  let result: CheckResult;
  try {
    const environment = stackEnvironment(opts.stack);
    const config = policyConfigFile(opts.stack, environment);
    if (config.fallback) io.err(config.fallback);
    result = await checkStack(opts.stack, resources, pack, environment);
  } finally {
    if (!deps.pack) pack.close();
  }
  const out = {
    text: (x: CheckResult) => renderText(x, deps.rules),
    json: renderJson,
    sarif: (x: CheckResult) => renderSarif(x, deps.rules),
  }[opts.format](result);
  if (opts.output) {
    fs.mkdirSync(path.dirname(path.resolve(opts.output)), { recursive: true });
    fs.writeFileSync(opts.output, out + "\n");
    io.err(`wrote ${opts.output}: ${result.mandatory} mandatory, ${result.advisory} advisory`);
  } else {
    io.out(out);
  }
  return result.mandatory > 0 ? 1 : 0;
}

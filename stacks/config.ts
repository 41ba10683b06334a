/**
 * Reads, validates and resolves a stack's config into one typed object.
 *
 *   raw `Pulumi.<stack>.yaml` values -> schema (./schema.ts) -> merged over the
 *   environment's defaults (./defaults.ts) -> cross-field rules -> PlatformConfig
 *
 * Any problem anywhere ends in ONE {@link ConfigError} that lists every wrong key
 * with its fix. Nothing is registered with Pulumi before this returns.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { awsConfigProblems } from "../components/aws/configChecks";
import { gcpConfigProblems } from "../components/gcp/configChecks";
import { servicesConfigProblems } from "../components/services/configChecks";
import { cidrsOverlap, isCidr } from "../components/lib/net";
import type { ConfigProblem } from "../components/lib/validation";
import {
  ALLOW_PLACEHOLDERS_ENV,
  ENVIRONMENTS,
  PROJECT,
  type Environment,
  type PlatformConfig,
} from "../components/model";
import { ENV_DEFAULTS } from "./defaults";
import { stackConfigSchema, type StackConfigInput } from "./schema";

export type { PlatformConfig } from "../components/model";

export { PROJECT } from "../components/model";
export type { ConfigProblem } from "../components/lib/validation";

/** One error for all problems. A RunError, so the CLI prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
  constructor(
    public readonly stack: string,
    public readonly problems: ConfigProblem[],
  ) {
    super(
      `Stack "${stack}" has ${problems.length} config problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p.key}: ${p.reason}`).join("\n") +
        `\nFix them with \`pulumi config set\` or in Pulumi.${stack}.yaml; the README lists every key.`,
    );
    this.name = "ConfigError";
  }
}

/** Everything the resolver needs, already read from wherever config lives. */
export interface RawStackConfig {
  /** Stack name (`pulumi stack`); names the environment unless `environment` is set. */
  stack: string;
  /** Our namespace's keys without the `mlops-platform:` prefix, values JSON-decoded. */
  values: Record<string, unknown>;
  /** `gcp:*` provider keys. */
  gcp?: { project?: string; region?: string };
  /** `aws:*` provider keys. */
  aws?: { region?: string };
  /**
   * Accept the shipped examples' placeholders (the test suite and `npm run check --example`
   * set MLOPS_ALLOW_PLACEHOLDERS=1). A real stack never does: `pulumi up` refuses them.
   */
  allowPlaceholders?: boolean;
}

export { ALLOW_PLACEHOLDERS_ENV } from "../components/model";

/** Documentation-only ranges (RFC 5737 TEST-NET-1/2/3): no real network has these addresses. */
const DOCUMENTATION_CIDRS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];
/** Domains reserved for examples (RFC 2606). */
const EXAMPLE_DOMAIN = /(^|\.)example\.(com|net|org)(:|\/|$)/;

/** Values copied from the shipped example stacks that point nowhere. Pure. */
export function placeholderProblems(c: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, what: string, fix: string) =>
    problems.push({
      key,
      reason: `${what} is an example placeholder: replace the placeholder with ${fix}.`,
    });
  const k = (path: string) => `${PROJECT}:${path}`;
  if (c.cloud === "gcp" && /^my-gcp-project/.test(c.gcp.project))
    add(
      "gcp:project",
      `"${c.gcp.project}"`,
      "your GCP project id (`pulumi config set gcp:project <id>`)",
    );
  c.cluster.authorizedNetworks.forEach((n, i) => {
    if (isCidr(n.cidr) && DOCUMENTATION_CIDRS.some((d) => cidrsOverlap(d, n.cidr)))
      add(
        k(`cluster.authorizedNetworks[${i}].cidr`),
        `${n.cidr} (a documentation-only range)`,
        "your VPN, office or CI egress range",
      );
  });
  if (/\/your-org\//.test(c.gitops.repoUrl))
    add(k("gitops.repoUrl"), `"${c.gitops.repoUrl}"`, "your GitOps repository's URL");
  const urls: [string, string | undefined][] = [
    ["alerting.webhook.url", c.alerting.webhook?.url],
    ["alerting.email.smarthost", c.alerting.email?.smarthost],
    ["gitops.domain", c.gitops.domain],
  ];
  for (const [path, value] of urls)
    if (value && EXAMPLE_DOMAIN.test(value.replace(/^https?:\/\//, "")))
      add(k(path), `"${value}"`, "your own endpoint");
  return problems;
}

function keyOf(path: readonly PropertyKey[]): string {
  let key = PROJECT + ":";
  path.forEach((p, i) => {
    if (typeof p === "number") key += `[${p}]`;
    else key += i === 0 ? String(p) : `.${String(p)}`;
  });
  return key;
}

/** Keys an object schema accepts at `path`, for "did you mean" help on unknown keys. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  for (const p of [...path, null]) {
    // Unwrap optional/default/array layers until we reach an object or run out.
    for (let guard = 0; s && guard < 5; guard++) {
      const def: { type: string; innerType?: z.ZodType; element?: z.ZodType } = (
        s as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }
      ).def;
      if (def.type === "optional" || def.type === "default") s = def.innerType;
      else if (def.type === "array" && typeof p === "number") {
        s = def.element;
        break;
      } else break;
    }
    if (p === null || typeof p === "number") continue;
    s = s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>)[String(p)] : undefined;
  }
  if (s instanceof z.ZodRecord && s.def.keyType instanceof z.ZodEnum)
    return s.def.keyType.options.map(String);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function schemaProblems(error: z.ZodError): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(stackConfigSchema, issue.path);
      for (const k of issue.keys) {
        problems.push({
          key: keyOf([...issue.path, k]),
          reason: `is not a known key: remove it or fix its spelling${known.length ? ` (known here: ${known.join(", ")})` : ""}.`,
        });
      }
    } else if (issue.code === "invalid_type") {
      // With reportInput, zod puts the value on the issue: absent means missing, present means
      // the wrong type. Both are told from the issue's fields, never from its message text.
      const got = (issue as { input?: unknown }).input;
      problems.push({
        key: keyOf(issue.path),
        reason:
          got === undefined
            ? `is required: set it (${describeType(issue.expected)}).`
            : wrongTypeReason(issue.expected, got),
      });
    } else if (issue.code === "invalid_key" || issue.code === "invalid_element") {
      // Record keys / map elements: the useful message is on the nested issue.
      const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message;
      problems.push({ key: keyOf(issue.path), reason: inner ?? issue.message });
    } else {
      problems.push({ key: keyOf(issue.path), reason: issue.message });
    }
  }
  return problems;
}

/** "a string", "a number", "true or false", "a list", "a map". */
function describeType(expected: string): string {
  return (
    { boolean: "true or false", array: "a list", object: "a map", int: "a whole number" }[
      expected
    ] ?? `a ${expected}`
  );
}

function describeValue(v: unknown): string {
  if (v === null) return "empty (null)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "boolean") return "true/false";
  return `a ${typeof v}`;
}

/** What is wrong with a value of the wrong type, and the edit that fixes it. Pure. */
export function wrongTypeReason(expected: string, got: unknown): string {
  const is = `is ${describeValue(got)} (${JSON.stringify(got)}), expected ${describeType(expected)}`;
  if (expected === "string" && (typeof got === "number" || typeof got === "boolean"))
    return `${is}: quote it ("${String(got)}"), since YAML reads ${String(got)} as ${describeValue(got)}.`;
  if (expected === "number" && typeof got === "string") {
    const n = Number.parseFloat(got);
    return Number.isNaN(n)
      ? `${is}: write a number without quotes.`
      : `${is}: write the number alone, without quotes or units (${n}).`;
  }
  if (expected === "boolean" && typeof got === "string")
    return `${is}: write true or false, without quotes.`;
  if (expected === "array" && typeof got === "object")
    return `${is}: write a list, one item per line starting with "- ".`;
  if (expected === "object" && Array.isArray(got))
    return `${is}: write a map of "key: value" lines, not a list.`;
  return `${is}: write ${describeType(expected)}.`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, arrays and scalars from `over` replace. */
export function mergeOver<T>(base: T, over: unknown): T {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOver(out[k], v);
  return out as T;
}

/** The config check of each cloud: its components' own validation, keyed to config (components/<cloud>/configChecks.ts). */
const CLOUD_CHECKS: Record<PlatformConfig["cloud"], (c: PlatformConfig) => ConfigProblem[]> = {
  gcp: gcpConfigProblems,
  aws: awsConfigProblems,
};

/**
 * Rules that need the merged config and belong to no single component: across
 * keys, per environment. The cloud's components then check their own args.
 */
function crossFieldProblems(c: PlatformConfig, cloudKnown = true): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, reason: string) =>
    problems.push({ key: `${PROJECT}:${path}`, reason });

  const names = new Set<string>();
  c.gpuPools.forEach((pool, i) => {
    if (names.has(pool.name))
      add(
        `gpuPools[${i}].name`,
        `"${pool.name}" is used by another pool: give each pool its own name.`,
      );
    names.add(pool.name);
  });

  if (c.mlflow.replicas < 2 && c.environment === "prod") {
    add(
      "mlflow.replicas",
      `(${c.mlflow.replicas}) must be at least 2 in prod so a node drain keeps MLflow up.`,
    );
  }

  if (c.artifacts.forceDestroy && c.environment !== "dev") {
    add(
      "artifacts.forceDestroy",
      `deletes every model artifact with the bucket, allowed only in dev: remove it from the ${c.environment} stack.`,
    );
  }
  if (c.environment === "prod" && !c.database.deletionProtection) {
    add(
      "database.deletionProtection",
      "cannot be false in prod: remove the override (disable it only in a reviewed change before a planned teardown).",
    );
  }
  // With `cloud` itself refused, the other cloud's rules would only add noise.
  return [
    ...problems,
    ...(cloudKnown ? CLOUD_CHECKS[c.cloud](c) : []),
    ...servicesConfigProblems(c),
  ];
}

/**
 * Pure resolver: raw values in, a complete {@link PlatformConfig} out, or a
 * {@link ConfigError} listing every problem. Unit-testable without Pulumi.
 */
export function parseStackConfig(raw: RawStackConfig): PlatformConfig {
  const parsed = stackConfigSchema.safeParse(raw.values, { reportInput: true });
  const problems: ConfigProblem[] = parsed.success ? [] : schemaProblems(parsed.error);
  // With schema errors, the cross-field rules still run on everything that did parse: each
  // top-level key with an error falls back to its default, so one pass reports every problem.
  let input: StackConfigInput = {};
  if (parsed.success) input = parsed.data;
  else {
    const broken = new Set(
      parsed.error.issues.flatMap((i) =>
        i.path.length > 0 ? [String(i.path[0])] : i.code === "unrecognized_keys" ? i.keys : [],
      ),
    );
    const rest = Object.fromEntries(Object.entries(raw.values).filter(([k]) => !broken.has(k)));
    const retry = stackConfigSchema.safeParse(rest);
    if (retry.success) input = retry.data;
  }

  let environment: Environment | undefined = input.environment;
  if (!environment && !("environment" in raw.values)) {
    environment = (ENVIRONMENTS as readonly string[]).includes(raw.stack)
      ? (raw.stack as Environment)
      : undefined;
    if (!environment) {
      problems.push({
        key: `${PROJECT}:environment`,
        reason: `stack "${raw.stack}" is not named dev, staging or prod: set it to one of those (\`pulumi config set environment prod\`).`,
      });
    }
  }
  if (!environment) throw new ConfigError(raw.stack, problems);

  const { cloud = "gcp", namePrefix = `mlops-${environment}`, environment: _env, ...rest } = input;
  const merged: PlatformConfig = {
    ...mergeOver(ENV_DEFAULTS[environment], rest),
    cloud,
    environment,
    namePrefix,
    gcp: { project: raw.gcp?.project ?? "", region: raw.gcp?.region ?? "" },
    aws: { region: raw.aws?.region ?? "" },
  };

  // A key the schema already refused is not reported again from its default.
  const reported = new Set(problems.map((p) => p.key));
  const cloudKnown = !reported.has(`${PROJECT}:cloud`);
  problems.push(...crossFieldProblems(merged, cloudKnown).filter((p) => !reported.has(p.key)));
  if (!raw.allowPlaceholders) problems.push(...placeholderProblems(merged));
  if (problems.length > 0) throw new ConfigError(raw.stack, problems);
  return merged;
}

function decode(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  if (t === "true" || t === "false") return t === "true";
  return value;
}

/** Reads this stack's config from the Pulumi runtime (the CLI, or mocks in tests). */
export function readStackConfig(): RawStackConfig {
  const all = pulumi.runtime.allConfig();
  const values: Record<string, unknown> = {};
  const gcp: Record<string, string> = {};
  const aws: Record<string, string> = {};
  const project = pulumi.getProject();
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, key] = [
      fullKey.slice(0, fullKey.indexOf(":")),
      fullKey.slice(fullKey.indexOf(":") + 1),
    ];
    if (ns === project) values[key] = decode(value);
    else if (ns === "gcp") gcp[key] = value;
    else if (ns === "aws") aws[key] = value;
  }
  return {
    stack: pulumi.getStack(),
    values,
    gcp,
    aws,
    allowPlaceholders: process.env[ALLOW_PLACEHOLDERS_ENV] === "1",
  };
}

/** The validated config of the running stack. Throws {@link ConfigError}. */
export function loadStackConfig(): PlatformConfig {
  return parseStackConfig(readStackConfig());
}

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
import { EC2_INSTANCE_TYPE_RE, isZoneOf } from "../components/aws/names";
import { CLUSTER_AUTOSCALER_TAGS, resolveAddonVersions } from "../components/aws/eks/addonVersions";
import { eksGpuProblems } from "../components/aws/gpuCatalog";
import { gkeGpuProblems } from "../components/gcp/gpuCatalog";
import { cidrsOverlap, isWorldOpen } from "../components/lib/net";
import {
  ENVIRONMENTS,
  PINNED_REVISION_RE,
  type Environment,
  type PlatformConfig,
} from "../components/model";
import { ENV_DEFAULTS } from "./defaults";
import { stackConfigSchema, type StackConfigInput } from "./schema";

export type { PlatformConfig } from "../components/model";

/** The Pulumi project name, which is also the config namespace of our keys. */
export const PROJECT = "mlops-platform";

export interface ConfigProblem {
  /** Fully qualified key, e.g. `mlops-platform:gpuPools[0].maxNodes` or `gcp:project`. */
  key: string;
  /** What is wrong and how to fix it. */
  reason: string;
}

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
      const got = (issue as { input?: unknown }).input;
      const custom = !issue.message.startsWith("Invalid input");
      problems.push({
        key: keyOf(issue.path),
        reason: custom
          ? issue.message
          : got === undefined
            ? `is required: set it (expected ${issue.expected}).`
            : `expected ${issue.expected}, got ${Array.isArray(got) ? "array" : typeof got} (${JSON.stringify(got)}): write a ${issue.expected}.`,
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

/** Rules that need the merged config: across keys, per cloud, per environment. */
function crossFieldProblems(c: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (key: string, reason: string) => problems.push({ key, reason });
  const k = (path: string) => `${PROJECT}:${path}`;

  if (c.cloud === "gcp") {
    if (!c.gcp.project)
      add("gcp:project", "is required on cloud gcp: `pulumi config set gcp:project <project-id>`.");
    if (!c.gcp.region)
      add("gcp:region", "is required on cloud gcp: `pulumi config set gcp:region us-central1`.");
  } else if (!c.aws.region) {
    add("aws:region", "is required on cloud aws: `pulumi config set aws:region us-east-1`.");
  }

  const names = new Set<string>();
  c.gpuPools.forEach((pool, i) => {
    const p = `gpuPools[${i}]`;
    if (pool.minNodes > pool.maxNodes) {
      add(
        k(`${p}.minNodes`),
        `(${pool.minNodes}) is above maxNodes (${pool.maxNodes}): raise maxNodes or lower minNodes.`,
      );
    }
    if (names.has(pool.name))
      add(k(`${p}.name`), `"${pool.name}" is used by another pool: give each pool its own name.`);
    names.add(pool.name);
    const cloudProblems =
      c.cloud === "gcp" ? gkeGpuProblems(pool, c.gcp.region || undefined) : eksGpuProblems(pool);
    for (const reason of cloudProblems) add(k(p), reason);
  });

  const sys = c.cluster.systemPool;
  if (sys.minNodes > sys.maxNodes) {
    add(
      k("cluster.systemPool.minNodes"),
      `(${sys.minNodes}) is above maxNodes (${sys.maxNodes}): raise maxNodes or lower minNodes.`,
    );
  }
  if (sys.maxNodes < 1)
    add(
      k("cluster.systemPool.maxNodes"),
      "must be at least 1: the platform's services need a node.",
    );

  const nets: [string, string][] =
    c.cloud === "gcp"
      ? [
          ["network.nodeCidr", c.network.nodeCidr],
          ["network.podCidr", c.network.podCidr],
          ["network.serviceCidr", c.network.serviceCidr],
          ["network.controlPlaneCidr", c.network.controlPlaneCidr],
        ]
      : [];
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      if (cidrsOverlap(nets[i][1], nets[j][1])) {
        add(
          k(nets[j][0]),
          `${nets[j][1]} overlaps ${nets[i][0]} (${nets[i][1]}): pick a range that does not overlap.`,
        );
      }
    }
  }
  if (c.cloud === "gcp" && !c.network.controlPlaneCidr.endsWith("/28")) {
    add(
      k("network.controlPlaneCidr"),
      `(${c.network.controlPlaneCidr}) must be a /28, as GKE requires for the control plane.`,
    );
  }

  if (c.cloud === "aws") problems.push(...awsProblems(c));
  else if (
    c.cluster.systemPool.machineType &&
    EC2_INSTANCE_TYPE_RE.test(c.cluster.systemPool.machineType)
  ) {
    add(
      k("cluster.systemPool.machineType"),
      `"${c.cluster.systemPool.machineType}" is an EC2 instance type, not a GCE machine type: use e.g. e2-standard-4, or drop it for the default.`,
    );
  }

  c.cluster.authorizedNetworks.forEach((n, i) => {
    if (isWorldOpen(n.cidr)) {
      add(
        k(`cluster.authorizedNetworks[${i}].cidr`),
        `${n.cidr} opens the Kubernetes API to the whole internet: list your VPN, office or CI egress ranges instead.`,
      );
    }
  });
  if (!c.cluster.privateEndpoint && c.cluster.authorizedNetworks.length === 0) {
    add(
      k("cluster.authorizedNetworks"),
      "is empty, so nothing outside the VPC could reach the Kubernetes API (not even `pulumi up`): add the CIDR of your VPN or CI egress, or set cluster.privateEndpoint true and run from inside the VPC.",
    );
  }

  if (c.environment !== "dev" && !PINNED_REVISION_RE.test(c.gitops.targetRevision)) {
    add(
      k("gitops.targetRevision"),
      `"${c.gitops.targetRevision}" floats (a branch or HEAD), which ${c.environment} refuses: pin a release tag such as v1.4.2 or a full commit SHA.`,
    );
  }
  const sso = c.gitops.sso;
  if (sso.enabled) {
    if (!sso.issuer)
      add(k("gitops.sso.issuer"), "is required when SSO is enabled: your OIDC issuer URL.");
    if (!sso.clientId)
      add(k("gitops.sso.clientId"), "is required when SSO is enabled: the OIDC client id.");
    if (!c.argocdOidcClientSecret) {
      add(
        k("argocdOidcClientSecret"),
        "is required when SSO is enabled: `pulumi config set --secret argocdOidcClientSecret <secret>`.",
      );
    }
  }
  if (c.mlflow.replicas < 2 && c.environment === "prod") {
    add(
      k("mlflow.replicas"),
      `(${c.mlflow.replicas}) must be at least 2 in prod so a node drain keeps MLflow up.`,
    );
  }

  if (c.artifacts.forceDestroy && c.environment !== "dev") {
    add(
      k("artifacts.forceDestroy"),
      `deletes every model artifact with the bucket, allowed only in dev: remove it from the ${c.environment} stack.`,
    );
  }
  if (c.environment === "prod" && !c.database.deletionProtection) {
    add(
      k("database.deletionProtection"),
      "cannot be false in prod: remove the override (disable it only in a reviewed change before a planned teardown).",
    );
  }
  return problems;
}

/** Rules that only apply on cloud aws. */
function awsProblems(c: PlatformConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, reason: string) =>
    problems.push({ key: `${PROJECT}:${path}`, reason });

  const vpcBits = Number(c.network.vpcCidr.split("/")[1]);
  if (vpcBits < 16 || vpcBits > 20)
    add(
      "network.vpcCidr",
      `(${c.network.vpcCidr}) must be a /16 to /20 (a VPC is at most a /16; smaller leaves too few pod IPs): e.g. 10.0.0.0/16.`,
    );
  if (cidrsOverlap(c.network.vpcCidr, c.network.serviceCidr))
    add(
      "network.serviceCidr",
      `${c.network.serviceCidr} overlaps network.vpcCidr (${c.network.vpcCidr}): Kubernetes Services need a range outside the VPC.`,
    );
  if (c.environment === "prod" && c.network.natGateways !== "perZone")
    add(
      "network.natGateways",
      "must be perZone in prod, so losing one availability zone does not cut every node's egress: remove the override.",
    );

  const addons = resolveAddonVersions(c.cluster.kubernetesVersion, c.cluster.addonVersions);
  if ("missing" in addons)
    add(
      "cluster.kubernetesVersion",
      `${c.cluster.kubernetesVersion} has no pinned EKS add-on versions (${addons.missing.join(", ")}): use ${Object.keys(CLUSTER_AUTOSCALER_TAGS).join(", ")}, or set cluster.addonVersions for every add-on.`,
    );
  else if (!CLUSTER_AUTOSCALER_TAGS[c.cluster.kubernetesVersion])
    add(
      "cluster.kubernetesVersion",
      `${c.cluster.kubernetesVersion} has no cluster-autoscaler image: use ${Object.keys(CLUSTER_AUTOSCALER_TAGS).join(", ")}.`,
    );

  const machineType = c.cluster.systemPool.machineType;
  if (machineType && !EC2_INSTANCE_TYPE_RE.test(machineType))
    add(
      "cluster.systemPool.machineType",
      `"${machineType}" is not an EC2 instance type: use e.g. m6i.xlarge, or drop it for the default.`,
    );
  const seen = new Set<string>();
  c.cluster.adminPrincipals.forEach((arn, i) => {
    if (seen.has(arn))
      add(`cluster.adminPrincipals[${i}]`, `"${arn}" is listed twice: list each principal once.`);
    seen.add(arn);
  });

  const days = c.database.backupRetentionDays;
  if (days < 7 || days > 35)
    add(
      "database.backupRetentionDays",
      `(${days}) must be between 7 and 35 on RDS (35 is its limit; fewer than 7 is not enough to recover from a bad migration).`,
    );
  if (c.database.diskSizeGb < 20)
    add("database.diskSizeGb", `(${c.database.diskSizeGb}) must be at least 20 on RDS gp3.`);

  c.gpuPools.forEach((pool, i) => {
    if (pool.maxNodes < 1)
      add(`gpuPools[${i}].maxNodes`, "must be at least 1 on EKS: remove the pool instead.");
    const foreign = (pool.zones ?? []).filter((z) => !isZoneOf(z, c.aws.region));
    if (foreign.length)
      add(
        `gpuPools[${i}].zones`,
        `${foreign.join(", ")} are not availability zones of ${c.aws.region || "aws:region"}: write zones such as ${c.aws.region || "us-east-1"}a.`,
      );
  });
  return problems;
}

/**
 * Pure resolver: raw values in, a complete {@link PlatformConfig} out, or a
 * {@link ConfigError} listing every problem. Unit-testable without Pulumi.
 */
export function parseStackConfig(raw: RawStackConfig): PlatformConfig {
  const parsed = stackConfigSchema.safeParse(raw.values);
  const problems: ConfigProblem[] = parsed.success ? [] : schemaProblems(parsed.error);
  const input: StackConfigInput = parsed.success ? parsed.data : {};

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
  if (!parsed.success || !environment) throw new ConfigError(raw.stack, problems);

  const { cloud = "gcp", namePrefix = `mlops-${environment}`, environment: _env, ...rest } = input;
  const merged: PlatformConfig = {
    ...mergeOver(ENV_DEFAULTS[environment], rest),
    cloud,
    environment,
    namePrefix,
    gcp: { project: raw.gcp?.project ?? "", region: raw.gcp?.region ?? "" },
    aws: { region: raw.aws?.region ?? "" },
  };

  problems.push(...crossFieldProblems(merged));
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
  return { stack: pulumi.getStack(), values, gcp, aws };
}

/** The validated config of the running stack. Throws {@link ConfigError}. */
export function loadStackConfig(): PlatformConfig {
  return parseStackConfig(readStackConfig());
}

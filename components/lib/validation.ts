/**
 * How components report bad args, the rules more than one component applies
 * (written once here), and the mapping from a component's arg path to the
 * stack config key that set it, so the offline config check reports a
 * component's own rule under the key the user edits.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  MIN_POSTGRES_VERSION,
  type ArtifactSettings,
  type AuthorizedNetwork,
  type DatabaseSettings,
} from "../model";
import { isCidr, isWorldOpen } from "./net";

/** One problem with a component's args: the arg path and the fix. */
export interface ArgProblem {
  propertyPath: string;
  reason: string;
}

/** One problem with a stack's config: the fully qualified key and the fix. */
export interface ConfigProblem {
  /** Fully qualified key, e.g. `mlops-platform:gpuPools[0].maxNodes` or `gcp:project`. */
  key: string;
  /** What is wrong and how to fix it. */
  reason: string;
}

/**
 * Throws one `pulumi.InputPropertiesError` listing every problem, before the
 * component creates any child. No-op when `problems` is empty.
 */
export function validateArgs(token: string, name: string, problems: ArgProblem[]): void {
  if (problems.length === 0) return;
  throw new pulumi.InputPropertiesError({
    message: `${token} "${name}": ${problems.length} invalid argument${problems.length === 1 ? "" : "s"}: ${problems
      .map((p) => `${p.propertyPath} ${p.reason}`)
      .join("; ")}`,
    errors: problems,
  });
}

/** `region` is missing. The same words from every component of a cloud, so the config check reports it once. */
export function regionRequired(provider: "gcp" | "aws", example: string): ArgProblem {
  return {
    propertyPath: "region",
    reason: `is required: \`pulumi config set ${provider}:region ${example}\`.`,
  };
}

/** Autoscaling bounds of a pool at `path` (`systemPool`, `gpuPools[0]`): min must not exceed max. */
export function nodeBoundsProblems(
  path: string,
  pool: { minNodes: number; maxNodes: number },
): ArgProblem[] {
  return pool.minNodes > pool.maxNodes
    ? [
        {
          propertyPath: `${path}.minNodes`,
          reason: `(${pool.minNodes}) is above maxNodes (${pool.maxNodes}): raise maxNodes or lower minNodes.`,
        },
      ]
    : [];
}

/** The system pool runs the platform's services, so it needs room for at least one node. */
export function systemPoolProblems(pool: { minNodes: number; maxNodes: number }): ArgProblem[] {
  const problems = nodeBoundsProblems("systemPool", pool);
  if (pool.maxNodes < 1)
    problems.push({
      propertyPath: "systemPool.maxNodes",
      reason: "must be at least 1: the platform's services need a node.",
    });
  return problems;
}

/**
 * Who may reach the Kubernetes API: each entry a CIDR, none open to the world,
 * and (with the public endpoint on) at least one, or nothing outside the VPC
 * could reach the API (EKS would even open an empty list to 0.0.0.0/0).
 */
export function authorizedNetworkProblems(
  networks: AuthorizedNetwork[],
  privateEndpoint: boolean,
): ArgProblem[] {
  const problems: ArgProblem[] = [];
  networks.forEach((n, i) => {
    const propertyPath = `authorizedNetworks[${i}].cidr`;
    if (!isCidr(n.cidr))
      problems.push({ propertyPath, reason: `"${n.cidr}" is not a CIDR such as 198.51.100.0/24.` });
    else if (isWorldOpen(n.cidr))
      problems.push({
        propertyPath,
        reason: `${n.cidr} opens the Kubernetes API to the whole internet: list your VPN, office or CI egress ranges instead.`,
      });
  });
  if (!privateEndpoint && networks.length === 0)
    problems.push({
      propertyPath: "authorizedNetworks",
      reason:
        "is empty, so nothing outside the VPC could reach the Kubernetes API (not even `pulumi up`): add the CIDR of your VPN or CI egress, or set cluster.privateEndpoint true and run from inside the VPC.",
    });
  return problems;
}

/** What both tracking stores require of the cloud-neutral database and artifact settings. */
export function trackingSettingsProblems(
  database: Pick<DatabaseSettings, "postgresVersion">,
  artifacts: Pick<ArtifactSettings, "keepVersions">,
): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (database.postgresVersion < MIN_POSTGRES_VERSION)
    problems.push({
      propertyPath: "database.postgresVersion",
      reason: `PostgreSQL ${database.postgresVersion} is too old: use ${MIN_POSTGRES_VERSION} or newer.`,
    });
  if (artifacts.keepVersions < 1)
    problems.push({
      propertyPath: "artifacts.keepVersions",
      reason: "must keep at least 1 noncurrent version.",
    });
  return problems;
}

/**
 * Where a component's arg paths come from in stack config: an arg path prefix
 * (`authorizedNetworks`, `systemPool`, `alertingSecrets.slackWebhookUrl`) to the
 * fully qualified config key it was read from. The longest matching prefix wins.
 */
export type ConfigKeyMap = Record<string, string>;

/**
 * A component's problems as config problems: each arg path rewritten to the
 * config key that set it (`authorizedNetworks[0].cidr` ->
 * `mlops-platform:cluster.authorizedNetworks[0].cidr`). An arg the map does not
 * know is reported under `<component>.<path>`: config cannot reach it, so it is
 * a bug in the wiring, still shown rather than lost.
 */
export function toConfigProblems(
  component: string,
  problems: ArgProblem[],
  keys: ConfigKeyMap,
): ConfigProblem[] {
  const prefixes = Object.keys(keys).sort((a, b) => b.length - a.length);
  return problems.map(({ propertyPath, reason }) => {
    const prefix = prefixes.find(
      (p) =>
        propertyPath === p || propertyPath.startsWith(`${p}.`) || propertyPath.startsWith(`${p}[`),
    );
    const key =
      prefix === undefined
        ? `${component}.${propertyPath}`
        : keys[prefix] + propertyPath.slice(prefix.length);
    return { key, reason };
  });
}

/** Problems in first-seen order, each (key, reason) once: several components share a rule (region). */
export function uniqueProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.key}\u0000${p.reason}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

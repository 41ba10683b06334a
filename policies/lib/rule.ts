/**
 * The one way rules are declared in this pack. A rule states the resource types
 * it targets (the coverage guard reads them), its metadata, a config schema with
 * a default for every threshold, and a `check` returning violation messages.
 *
 * Preview and unknown values: rules read resource *inputs*. When an input is
 * unknown during preview, the SDK's unknown-checking proxy throws and the SDK
 * reports the rule as advisory for that resource ("can't run policy ... during
 * preview"); `pulumi up` re-runs it with known values. Rules never treat an
 * unknown as compliant.
 */
import type {
  EnforcementLevel,
  PolicyComplianceFramework,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** JSON-schema properties of a rule's config; every one must carry a `default`. */
export type ConfigProps = Record<
  string,
  { type: string; default: unknown; description: string; items?: unknown; minimum?: number }
>;

export interface RuleMeta {
  name: string;
  description: string;
  severity: Severity;
  remediationSteps: string;
  tags: string[];
  framework?: PolicyComplianceFramework;
  enforcementLevel?: EnforcementLevel;
  /** Resource types the rule inspects (coverage guard and docs). */
  types: string[];
  /**
   * The checks of other tools this rule catches in our scope: checkov `CKV_*`, trivy `AVD-*`,
   * `kube-linter:<name>`. Each must be in policies/external/upstream.json (a test holds them).
   */
  covers?: string[];
  config?: ConfigProps;
}

/** A rule of this pack: a CrossGuard policy plus the types it inspects and the external checks it covers. */
export type Rule = (ResourceValidationPolicy | StackValidationPolicy) & {
  types: string[];
  covers: string[];
};

export interface CheckContext<C> {
  type: string;
  name: string;
  urn: string;
  config: C;
  protect: boolean;
}

/** Fills a rule's config with schema defaults where the stack config is silent (what the CLI does). */
export function withDefaults<C>(props: ConfigProps | undefined, given: Record<string, unknown>): C {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = v.default;
  return { ...out, ...given } as C;
}

function schemaOf(meta: RuleMeta) {
  return meta.config ? { properties: meta.config as never } : undefined;
}

export const cis = (
  name: string,
  version: string,
  reference: string,
  specification: string,
): PolicyComplianceFramework => ({
  name,
  version,
  reference,
  specification,
});

/** A per-resource rule. `check` returns one message per violation (empty when compliant). */
export function resourceRule<C = Record<string, never>>(
  meta: RuleMeta & { check: (props: Record<string, any>, ctx: CheckContext<C>) => string[] },
): Rule {
  const { check, types, config, covers = [], ...policy } = meta;
  const typeSet = new Set(types);
  const validateResource = (args: ResourceValidationArgs, report: ReportViolation) => {
    if (!typeSet.has(args.type)) return;
    const ctx: CheckContext<C> = {
      type: args.type,
      name: args.name,
      urn: args.urn,
      config: withDefaults<C>(config, args.getConfig<Record<string, unknown>>()),
      protect: args.opts.protect,
    };
    for (const msg of check(args.props, ctx)) report(msg);
  };
  // A single-type rule carries its type the way @pulumi/policy's validateResourceOfType marks
  // one: the SDK's server then skips other types before deserializing their properties
  // (server.js "Fast check to see if the policy isn't applicable"), per resource and rule.
  if (types.length === 1) Object.assign(validateResource, { __pulumiType: types[0] });
  return {
    ...policy,
    types,
    covers,
    enforcementLevel: meta.enforcementLevel ?? "advisory",
    configSchema: schemaOf(meta),
    validateResource,
  };
}

/** A whole-stack rule (parents, dependencies, sums across resources). */
export function stackRule<C = Record<string, never>>(
  meta: RuleMeta & {
    check: (resources: PolicyResource[], config: C) => { message: string; urn?: string }[];
  },
): Rule {
  const { check, types, config, covers = [], ...policy } = meta;
  return {
    ...policy,
    types,
    covers,
    enforcementLevel: meta.enforcementLevel ?? "advisory",
    configSchema: schemaOf(meta),
    validateStack: (args: StackValidationArgs, report) => {
      const c = withDefaults<C>(config, args.getConfig<Record<string, unknown>>());
      for (const v of check(args.resources, c)) report(v.message, v.urn);
    },
  };
}

/**
 * Bucket names (globs) that mark server access-log targets, for the rules that exempt them
 * (S3 log delivery supports only SSE-S3; a log bucket does not log into itself).
 */
export const LOG_BUCKET_PATTERNS = ["*-access-logs", "*-access-logs-*"];

/** A glob (`*` only) as an anchored RegExp. */
export const globRegExp = (g: string) =>
  new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

/** Reads a dotted path from props; `undefined` when any step is absent. */
export function get(obj: unknown, path: string): any {
  let cur: any = obj;
  for (const part of path.split(".")) {
    if (cur === undefined || cur === null) return undefined;
    cur = cur[part];
  }
  return cur;
}

export const asArray = <T>(v: T[] | T | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/** A JSON policy document given as a string or an object; `{}` when it does not parse. */
export const parseDoc = (doc: unknown): any => {
  if (typeof doc !== "string") return doc ?? {};
  try {
    return JSON.parse(doc);
  } catch {
    return {};
  }
};

/**
 * Whether `r` takes an input from `target` (the engine's property dependencies): through
 * `prop` when given, else through any property. How a companion resource is tied to the one
 * it configures when the value it holds is the other's computed id.
 */
export const takesInputFrom = (r: PolicyResource, target: PolicyResource, prop?: string) =>
  Object.entries(r.propertyDependencies ?? {}).some(
    ([k, deps]) =>
      (prop === undefined || k === prop) &&
      asArray<PolicyResource>(deps).some((d) => d.urn === target.urn),
  );

/**
 * A policy document given as text that is not JSON: AWS refuses it (MalformedPolicyDocument),
 * and a rule that cannot read it must not pass it.
 */
export const unreadablePolicy = (doc: unknown): string[] => {
  if (typeof doc !== "string" || doc.trim() === "") return [];
  try {
    JSON.parse(doc);
    return [];
  } catch {
    return ["the policy is not valid JSON (AWS refuses it; a rule cannot judge it)."];
  }
};

/**
 * Evaluates the policy pack on recorded resources the way the Pulumi engine
 * does, without the CLI:
 *
 * 1. starts the pack exactly as `pulumi preview --policy-pack policies` does:
 *    `@pulumi/pulumi/cmd/run-policy-pack` in the pack directory (ts-node,
 *    `new PolicyPack(...)` serving the analyzer over gRPC on loopback);
 * 2. asks it for its policies (GetAnalyzerInfo), resolves the stack's
 *    `--policy-pack-config` file as the CLI does ("all" then per-policy entries,
 *    schema defaults filled in, values type-checked) and sends Configure;
 * 3. sends Analyze for every custom resource (inputs) and AnalyzeStack with
 *    every resource (outputs, parents, dependencies, protect).
 *
 * The SDK's own server code therefore applies enforcement levels (remediate is
 * reported as mandatory), wraps props in its unknown-checking proxy and formats
 * the diagnostics. Nothing here re-implements a rule.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { PACK_DIR, spawnPack, type SpawnedPack } from "./packProcess";

// Load gRPC and protobuf through @pulumi/pulumi so the message classes are the ones its stubs use.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = pulumiRequire("@grpc/grpc-js");
const analyzerRpc = pulumiRequire("./proto/analyzer_grpc_pb");
const analyzerProto = pulumiRequire("./proto/analyzer_pb");
const structProto = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
const emptyProto = pulumiRequire("google-protobuf/google/protobuf/empty_pb");

export { PACK_DIR };

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** A resource as the engine knows it after a run (tests' recorder produces these). */
export interface EngineResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  parent: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  provider?: string;
}

export interface Diagnostic {
  policyName: string;
  description: string;
  message: string;
  urn: string;
  enforcementLevel: EnforcementLevel;
  severity: "low" | "medium" | "high" | "critical" | "unspecified";
}

export interface PolicyMetadata {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  configSchema: Record<string, { type: string; default?: unknown }>;
}

const LEVELS: Record<number, EnforcementLevel> = {
  0: "advisory",
  1: "mandatory",
  2: "disabled",
  3: "remediate",
};
const LEVEL_CODES: Record<EnforcementLevel, number> = {
  advisory: 0,
  mandatory: 1,
  disabled: 2,
  remediate: 3,
};
const SEVERITIES: Record<number, Diagnostic["severity"]> = {
  0: "unspecified",
  1: "low",
  2: "medium",
  3: "high",
  4: "critical",
};

/** A `--policy-pack-config` file's content. */
export type PolicyPackConfigFile = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    default:
      return true;
  }
}

/**
 * Resolves per-policy enforcement and properties like the CLI: the policy's own
 * level, then `all`, then the policy's entry; schema defaults for missing
 * properties; unknown policy names and ill-typed values are errors.
 */
export function resolvePolicyConfig(
  policies: PolicyMetadata[],
  file: PolicyPackConfigFile,
): Map<string, ResolvedPolicyConfig> {
  const errors: string[] = [];
  const names = new Set(policies.map((p) => p.name));
  for (const key of Object.keys(file))
    if (key !== "all" && !names.has(key)) errors.push(`"${key}" is not a policy of this pack.`);
  const levelOf = (entry: unknown): EnforcementLevel | undefined =>
    typeof entry === "string"
      ? (entry as EnforcementLevel)
      : (entry as { enforcementLevel?: EnforcementLevel } | undefined)?.enforcementLevel;
  const all = levelOf(file.all);
  const out = new Map<string, ResolvedPolicyConfig>();
  for (const p of policies) {
    const entry = file[p.name];
    const level = levelOf(entry) ?? all ?? p.enforcementLevel;
    if (!(level in LEVEL_CODES))
      errors.push(
        `${p.name}: enforcementLevel "${level}" is not advisory, mandatory, remediate or disabled.`,
      );
    const given = typeof entry === "object" && entry ? { ...entry } : {};
    delete (given as Record<string, unknown>).enforcementLevel;
    const properties: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(p.configSchema))
      if (schema.default !== undefined) properties[k] = schema.default;
    for (const [k, v] of Object.entries(given)) {
      const schema = p.configSchema[k];
      if (!schema) errors.push(`${p.name}.${k} is not a config property of this policy.`);
      else if (!typeOk(schema.type, v)) errors.push(`${p.name}.${k} must be a ${schema.type}.`);
      properties[k] = v;
    }
    out.set(p.name, { enforcementLevel: level, properties });
  }
  if (errors.length) throw new Error(`policy config is invalid:\n  - ${errors.join("\n  - ")}`);
  return out;
}

function call<T>(client: any, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
  );
}

function struct(obj: unknown) {
  return structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(obj ?? {})));
}

function options(r: EngineResource) {
  const o = new analyzerProto.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** A running policy pack, ready to analyze stacks. */
export class PackSession {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
    public readonly policies: PolicyMetadata[],
  ) {}

  /** Starts the pack (or takes one already spawned, see ./packProcess.ts) and connects to it. */
  static async start(
    packDir = PACK_DIR,
    spawned: SpawnedPack = spawnPack(packDir),
  ): Promise<PackSession> {
    const { child } = spawned;
    const port = await spawned.port;
    const client = new analyzerRpc.AnalyzerClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
      {
        "grpc.max_receive_message_length": 1024 * 1024 * 400,
        "grpc.max_send_message_length": 1024 * 1024 * 400,
      },
    );
    const info: any = await call(client, "getAnalyzerInfo", new emptyProto.Empty());
    const policies: PolicyMetadata[] = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      description: p.getDescription(),
      enforcementLevel: LEVELS[p.getEnforcementlevel()],
      configSchema: (p.getConfigschema()?.getProperties()?.toJavaScript() ??
        {}) as PolicyMetadata["configSchema"],
    }));
    return new PackSession(child, client, policies);
  }

  /** Sends the stack's policy config (as `--policy-pack-config` would). */
  async configure(file: PolicyPackConfigFile): Promise<Map<string, ResolvedPolicyConfig>> {
    const resolved = resolvePolicyConfig(this.policies, file);
    const req = new analyzerProto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of resolved) {
      const pc = new analyzerProto.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_CODES[c.enforcementLevel]);
      pc.setProperties(struct(c.properties));
      map.set(name, pc);
    }
    await call(this.client, "configure", req);
    return resolved;
  }

  /** Per-resource analysis (custom resources, their inputs) then stack analysis (all resources, outputs). */
  /**
   * Analyze for each custom resource (or only those `only` names: resource rules read one
   * resource, so unchanged resources give unchanged results), then AnalyzeStack with all.
   */
  async analyze(resources: EngineResource[], only?: Set<string>): Promise<Diagnostic[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const providerOf = (r: EngineResource) => {
      if (!r.provider) return undefined;
      const urn = r.provider.split("::").slice(0, 4).join("::");
      const pr = byUrn.get(urn);
      if (!pr) return undefined;
      const p = new analyzerProto.AnalyzerProviderResource();
      p.setType(pr.type);
      p.setUrn(pr.urn);
      p.setName(pr.name);
      p.setProperties(struct(pr.inputs));
      return p;
    };
    const diagnostics: Diagnostic[] = [];
    const collect = (res: any) => {
      for (const d of res.getDiagnosticsList()) {
        diagnostics.push({
          policyName: d.getPolicyname(),
          description: d.getDescription(),
          message: d.getMessage(),
          urn: d.getUrn(),
          enforcementLevel: LEVELS[d.getEnforcementlevel()],
          severity: SEVERITIES[d.getSeverity?.() ?? 0] ?? "unspecified",
        });
      }
    };
    const analyzed = resources.filter(
      (r) => r.custom && !r.type.startsWith("pulumi:providers:") && (!only || only.has(r.urn)),
    );
    const BATCH = 64;
    for (let i = 0; i < analyzed.length; i += BATCH) {
      const results = await Promise.all(
        analyzed.slice(i, i + BATCH).map((r) => {
          const req = new analyzerProto.AnalyzeRequest();
          req.setType(r.type);
          req.setUrn(r.urn);
          req.setName(r.name);
          req.setProperties(struct(r.inputs));
          req.setOptions(options(r));
          const prov = providerOf(r);
          if (prov) req.setProvider(prov);
          return call<any>(this.client, "analyze", req).then((res) => {
            // The SDK reports per-resource diagnostics without a URN; attach the resource's.
            const before = diagnostics.length;
            collect(res);
            for (const d of diagnostics.slice(before)) d.urn ||= r.urn;
          });
        }),
      );
      void results;
    }
    const stackReq = new analyzerProto.AnalyzeStackRequest();
    stackReq.setResourcesList(
      resources.map((r) => {
        const ar = new analyzerProto.AnalyzerResource();
        ar.setType(r.type);
        ar.setUrn(r.urn);
        ar.setName(r.name);
        ar.setProperties(struct({ ...r.inputs, ...r.state }));
        ar.setOptions(options(r));
        if (r.parent) ar.setParent(r.parent);
        ar.setDependenciesList(r.dependencies);
        const pd = ar.getPropertydependenciesMap();
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          const deps = new analyzerProto.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          pd.set(k, deps);
        }
        const prov = providerOf(r);
        if (prov) ar.setProvider(prov);
        return ar;
      }),
    );
    collect(await call(this.client, "analyzeStack", stackReq));
    return diagnostics;
  }

  close(): void {
    this.client.close();
    this.child.kill();
  }
}

/** Reads `policies/config/<stack>.json`. */
export function readPolicyConfig(stack: string, environment?: string): PolicyPackConfigFile {
  return JSON.parse(fs.readFileSync(policyConfigFile(stack, environment).file, "utf8"));
}

/**
 * The policy config file of a stack: `policies/config/<stack>.json`, or for a personal
 * stack without one (`pulumi stack init alice` with `environment: dev`) its
 * environment's file, with `fallback` saying so.
 */
export function policyConfigFile(
  stack: string,
  environment?: string,
): { file: string; fallback?: string } {
  const own = path.join(PACK_DIR, "config", `${stack}.json`);
  if (fs.existsSync(own)) return { file: own };
  const env = environment && path.join(PACK_DIR, "config", `${environment}.json`);
  if (env && fs.existsSync(env))
    return {
      file: env,
      fallback: `no policies/config/${stack}.json: using policies/config/${environment}.json (stack ${stack} is environment ${environment}); copy it to give ${stack} its own thresholds.`,
    };
  throw new Error(
    `no policy config for stack "${stack}"${environment ? ` or its environment "${environment}"` : ""}: create policies/config/${stack}.json.`,
  );
}

/** A mandatory diagnostic blocks `pulumi up` (remediate already arrives as mandatory). */
export const isBlocking = (d: Diagnostic) =>
  d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate";

/**
 * Strict schema checks for Kubernetes objects. `@kubernetes-models` validators
 * accept unknown fields (a typo like `setWieght` passes, and the API server then
 * silently drops it), so besides running each model's own `validate()`, this
 * walks the object against the model's TypeScript declaration — generated from
 * the same OpenAPI/CRD schema — and reports every field the schema does not
 * define. Fields typed as free-form maps (`Record<string, …>`, labels, values
 * under `x-kubernetes-preserve-unknown-fields`) accept any key.
 */
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");

/** Resource type token -> the declaration of its model: package subpath and interface name. */
export const MODEL_TYPES: Record<string, { module: string; iface: string }> = {
  // Core objects: kubernetes-models (the Kubernetes OpenAPI).
  "kubernetes:apps/v1:Deployment": {
    module: "kubernetes-models/apps/v1/Deployment",
    iface: "IDeployment",
  },
  "kubernetes:core/v1:Service": { module: "kubernetes-models/v1/Service", iface: "IService" },
  "kubernetes:core/v1:Secret": { module: "kubernetes-models/v1/Secret", iface: "ISecret" },
  "kubernetes:core/v1:ServiceAccount": {
    module: "kubernetes-models/v1/ServiceAccount",
    iface: "IServiceAccount",
  },
  "kubernetes:core/v1:Namespace": { module: "kubernetes-models/v1/Namespace", iface: "INamespace" },
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": {
    module: "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
    iface: "INetworkPolicy",
  },
  "kubernetes:policy/v1:PodDisruptionBudget": {
    module: "kubernetes-models/policy/v1/PodDisruptionBudget",
    iface: "IPodDisruptionBudget",
  },
  "kubernetes:batch/v1:Job": { module: "kubernetes-models/batch/v1/Job", iface: "IJob" },
  "kubernetes:storage.k8s.io/v1:StorageClass": {
    module: "kubernetes-models/storage.k8s.io/v1/StorageClass",
    iface: "IStorageClass",
  },
  "kubernetes:core/v1:ConfigMap": { module: "kubernetes-models/v1/ConfigMap", iface: "IConfigMap" },
  // Custom resources: the newest models, generated from the controllers' CRDs
  // (Argo CD v3.3.9, Argo Rollouts v1.9.0; kubernetes-models-ts third-party/*/CHANGELOG.md).
  "kubernetes:argoproj.io/v1alpha1:Application": {
    module: "@kubernetes-models-test/argo-cd/argoproj.io/v1alpha1/Application",
    iface: "IApplication",
  },
  "kubernetes:argoproj.io/v1alpha1:ApplicationSet": {
    module: "@kubernetes-models-test/argo-cd/argoproj.io/v1alpha1/ApplicationSet",
    iface: "IApplicationSet",
  },
  "kubernetes:argoproj.io/v1alpha1:AppProject": {
    module: "@kubernetes-models-test/argo-cd/argoproj.io/v1alpha1/AppProject",
    iface: "IAppProject",
  },
  "kubernetes:argoproj.io/v1alpha1:AppProjectPatch": {
    module: "@kubernetes-models-test/argo-cd/argoproj.io/v1alpha1/AppProject",
    iface: "IAppProject",
  },
  "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate": {
    module: "@kubernetes-models-test/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate",
    iface: "IClusterAnalysisTemplate",
  },
  "kubernetes:argoproj.io/v1alpha1:Rollout": {
    module: "@kubernetes-models-test/argo-rollouts/argoproj.io/v1alpha1/Rollout",
    iface: "IRollout",
  },
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": {
    module: "@kubernetes-models-test/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    iface: "IServiceMonitor",
  },
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule": {
    module: "@kubernetes-models-test/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
    iface: "IPrometheusRule",
  },
};

let checker: ts.TypeChecker | undefined;
const rootTypes = new Map<string, ts.Type>();

/** Builds one TypeScript program over every model declaration (about a second, once per process). */
function load(): void {
  if (checker) return;
  const entries = Object.entries(MODEL_TYPES);
  const source = entries
    .map(
      ([, m], i) =>
        `import type { ${m.iface} as T${i} } from "${m.module}";\nexport type E${i} = T${i};`,
    )
    .join("\n");
  const file = path.join(ROOT, "__strict_models__.ts");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === file ? source : read(f));
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === file || exists(f);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, create) =>
    path.resolve(f) === file
      ? ts.createSourceFile(f, source, lang)
      : getSource(f, lang, onError, create);
  const program = ts.createProgram([file], options, host);
  checker = program.getTypeChecker();
  const sf = program.getSourceFile(file)!;
  const moduleSymbol = checker.getSymbolAtLocation(sf)!;
  const moduleExports = checker.getExportsOfModule(moduleSymbol);
  entries.forEach(([token], i) => {
    const sym = moduleExports.find((e) => e.name === `E${i}`);
    if (!sym) throw new Error(`strict: no export for ${token}`);
    const t = checker!.getDeclaredTypeOfSymbol(sym);
    if (t.flags & ts.TypeFlags.Any)
      throw new Error(`strict: could not resolve ${MODEL_TYPES[token].module}`);
    rootTypes.set(token, t);
  });
}

function isFreeForm(t: ts.Type): boolean {
  return !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
}

/** Fields of `value` that the declared type does not define, as dotted paths. */
function walk(value: unknown, type: ts.Type, at: string, out: string[]): void {
  const c = checker!;
  if (value === null || value === undefined || typeof value !== "object") return;
  if (isFreeForm(type)) return;
  const members = type.isUnion() ? type.types : [type];
  if (Array.isArray(value)) {
    const arrays = members.filter((m) => c.isArrayType(m) || c.isTupleType(m));
    if (arrays.length === 0) return;
    const element = c.getTypeArguments(arrays[0] as ts.TypeReference)[0];
    value.forEach((v, i) => walk(v, element, `${at}[${i}]`, out));
    return;
  }
  const objects = members.filter(
    (m) => !!(m.flags & ts.TypeFlags.Object) && !c.isArrayType(m) && !c.isTupleType(m),
  );
  if (objects.length === 0) return;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const where = at ? `${at}.${key}` : key;
    const owner = objects.find((o) => o.getProperty(key));
    if (owner) {
      walk(v, c.getTypeOfSymbol(owner.getProperty(key)!), where, out);
      continue;
    }
    const index = objects.map((o) => c.getIndexTypeOfType(o, ts.IndexKind.String)).find(Boolean);
    if (index) walk(v, index, where, out);
    else out.push(where);
  }
}

/** Unknown fields of `object` (a resource's inputs) under the model for `typeToken`. */
export function unknownFields(typeToken: string, object: Record<string, unknown>): string[] {
  load();
  const t = rootTypes.get(typeToken);
  if (!t) throw new Error(`strict: no model for ${typeToken}`);
  const out: string[] = [];
  walk(object, t, "", out);
  return out;
}

/** Type token of a plain Kubernetes object (`apps/v1` + `Deployment` -> `kubernetes:apps/v1:Deployment`). */
export function typeToken(o: { apiVersion: string; kind: string }): string {
  const group = o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`;
  return `kubernetes:${group}:${o.kind}`;
}

// The newest model packages are ESM-only. Under ts-node (CommonJS) `import()` would be compiled
// to `require()`, so the CLI goes through a native dynamic import; vitest's module runner has
// no callback for that one, and compiles a plain `import()` correctly.
const nativeImport = new Function("m", "return import(m)") as (m: string) => Promise<unknown>;
const importModule = (m: string): Promise<unknown> =>
  process.env.VITEST ? import(/* @vite-ignore */ m) : nativeImport(m);

/**
 * Everything wrong with a plain object against its schema: unknown fields (strict walk) and
 * the model's own validator. Empty when valid; an unknown kind is one problem.
 */
export async function schemaViolations(o: {
  apiVersion: string;
  kind: string;
  [k: string]: unknown;
}): Promise<string[]> {
  const token = typeToken(o);
  const m = MODEL_TYPES[token];
  if (!m) return [`${token} has no schema here`];
  const out = unknownFields(token, o).map((f) => `unknown field ${f}`);
  const mod = (await importModule(m.module)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const { apiVersion: _a, kind: _k, ...data } = o;
  try {
    new mod[m.iface.slice(1)](data).validate();
  } catch (e) {
    out.push((e as Error).message);
  }
  return out;
}

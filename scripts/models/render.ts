/**
 * From a model's files to the plain manifests Argo CD applies for one environment. Pure:
 * the same inputs always give the same objects, which is what `render --check` relies on.
 *
 * Per environment: dev rolls out at once; staging runs half the replicas as canary and the
 * golden comparison; prod goes 10% -> golden comparison -> 25% -> 50% with canary-vs-stable
 * analysis in the background from the first step. Weights come from replica counts (no
 * traffic router): with 4 replicas, 10% is one pod. Every Rollout aborts after its
 * progress deadline, and a failed analysis rolls back to stable.
 */
import { stringify } from "yaml";
import { GPU_KIND_LABEL, GPU_RESOURCE, GPU_TAINT, type Environment } from "../../components/model";
import { ANALYSIS_ARGS, THRESHOLD_ARGS } from "../../components/services/argoRollouts";
import {
  GOLDEN_ARGS,
  GOLDEN_COMPARE_TEMPLATE,
  GOLDEN_KEY,
  GOLDEN_MOUNT,
} from "../../components/services/goldenCompare";
import {
  MODELS_NAMESPACE,
  MONITORING_NAMESPACE,
  POD_HASH_LABEL,
} from "../../components/services/metrics";
import { MLFLOW_CLIENT_SECRET } from "../../components/contracts";
import type { ModelSpec, ModelValues, Release } from "./schemas";

/** In-cluster MLflow (components/services/mlflowServer.ts: Service mlflow, port 5000). */
export const MLFLOW_IN_CLUSTER = "http://mlflow.mlflow.svc.cluster.local:5000";
export const NAME_LABEL = "app.kubernetes.io/name";
/** Only the client Service carries it: the ServiceMonitor scrapes each pod once, through it. */
const SCRAPE_LABEL = "mlops.dev/scrape";

export interface RenderInput {
  env: Environment;
  model: ModelSpec;
  values: ModelValues;
  release: Release;
  /** The golden set, one JSON object per line. */
  golden: string;
  /** The pinned MLflow image (Python + requests to the registry) for the PreSync check. */
  checkerImage: string;
}

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const svcUrl = (name: string, port: number, path: string) =>
  `http://${name}.${MODELS_NAMESPACE}.svc.cluster.local:${port}${path}`;

function steps(r: RenderInput, goldenStep: object) {
  switch (r.env) {
    case "dev":
      return [];
    case "staging":
      return [{ setWeight: 50 }, goldenStep];
    case "prod":
      return [
        { setWeight: 10 },
        { pause: { duration: "5m" } },
        goldenStep,
        { setWeight: 25 },
        { pause: { duration: "10m" } },
        { setWeight: 50 },
        { pause: { duration: "10m" } },
      ];
  }
}

export function render(r: RenderInput): RenderedObject[] {
  const { model, values, release, env } = r;
  const name = model.name;
  const labels = { [NAME_LABEL]: name, "app.kubernetes.io/part-of": "mlops-models" };
  const meta = (n: string, extra: Record<string, string> = {}) => ({
    name: n,
    namespace: MODELS_NAMESPACE,
    labels: { ...labels, ...extra },
  });
  const resources = values.resources ?? model.resources;
  const gpu = model.gpu;
  const limits = { ...resources.limits, ...(gpu ? { [GPU_RESOURCE]: String(gpu.count) } : {}) };
  const canarySvc = `${name}-canary`;
  const stableSvc = `${name}-stable`;
  const goldenMap = `${name}-golden`;
  const thresholds = { ...model.canary, ...(values.canary ?? {}) };
  const goldenStep = {
    analysis: {
      templates: [{ templateName: GOLDEN_COMPARE_TEMPLATE, clusterScope: true }],
      args: [
        { name: GOLDEN_ARGS.canaryUrl, value: svcUrl(canarySvc, model.port, model.predictPath) },
        { name: GOLDEN_ARGS.stableUrl, value: svcUrl(stableSvc, model.port, model.predictPath) },
        { name: GOLDEN_ARGS.configMap, value: goldenMap },
        { name: GOLDEN_ARGS.maxPrecisionDrop, value: String(model.golden.maxPrecisionDrop) },
        { name: GOLDEN_ARGS.maxDisagreement, value: String(model.golden.maxDisagreement) },
      ],
    },
  };
  const background =
    env === "prod"
      ? {
          analysis: {
            startingStep: 1,
            templates: [
              { templateName: "canary-vs-stable", clusterScope: true },
              { templateName: "canary-slo", clusterScope: true },
              ...(model.predictions
                ? [{ templateName: "prediction-shift", clusterScope: true }]
                : []),
            ],
            args: [
              { name: ANALYSIS_ARGS.service, value: name },
              { name: ANALYSIS_ARGS.namespace, value: MODELS_NAMESPACE },
              { name: ANALYSIS_ARGS.canaryHash, valueFrom: { podTemplateHashValue: "Latest" } },
              { name: ANALYSIS_ARGS.stableHash, valueFrom: { podTemplateHashValue: "Stable" } },
              // This model's own limits (model.yaml, values-<env>.yaml) over the platform defaults.
              ...Object.entries(thresholds).map(([k, v]) => ({
                name: THRESHOLD_ARGS[k as keyof typeof THRESHOLD_ARGS],
                value: String(v),
              })),
            ],
          },
        }
      : {};
  const restricted = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
  const podSecurity = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
  // GPU pools carry the kind label and the GPU taint on both clouds (gkeCluster.ts, nodeGroups.ts).
  const gpuScheduling = gpu
    ? {
        nodeSelector: { [GPU_KIND_LABEL]: gpu.kind },
        tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
      }
    : {};
  const env_ = [
    { name: "MLFLOW_TRACKING_URI", value: MLFLOW_IN_CLUSTER },
    // With MLflow's auth on (prod), the platform puts credentials in this Secret; optional elsewhere.
    ...(["username", "password"] as const).map((key) => ({
      name: `MLFLOW_TRACKING_${key.toUpperCase()}`,
      valueFrom: { secretKeyRef: { name: MLFLOW_CLIENT_SECRET, key, optional: true } },
    })),
    { name: "MLFLOW_MODEL_NAME", value: release.mlflow.model },
    { name: "MLFLOW_MODEL_VERSION", value: String(release.mlflow.version) },
  ];
  const probe = { httpGet: { path: model.healthPath, port: "http" }, periodSeconds: 10 };

  const rollout: RenderedObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: {
      ...meta(name),
      annotations: {
        "mlops.dev/mlflow-model": `${release.mlflow.model}/${release.mlflow.version}`,
        ...(release.provenance.from ? { "mlops.dev/promoted-from": release.provenance.from } : {}),
      },
    },
    spec: {
      replicas: values.replicas,
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 900,
      // A stuck rollout goes back to stable instead of waiting for a human.
      progressDeadlineAbort: true,
      selector: { matchLabels: { [NAME_LABEL]: name } },
      template: {
        metadata: {
          labels: { ...labels, "mlops.dev/model-version": String(release.mlflow.version) },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          ...gpuScheduling,
          // Replicas prefer different nodes, so one node's loss takes one replica; a soft
          // preference, because GPU nodes are few and a hard one would leave pods Pending.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { [NAME_LABEL]: name } },
            },
          ],
          containers: [
            {
              name: "server",
              image: release.image,
              ports: [{ name: "http", containerPort: model.port }],
              env: env_,
              resources: { requests: resources.requests, limits },
              readinessProbe: probe,
              livenessProbe: { ...probe, initialDelaySeconds: 30, failureThreshold: 6 },
              securityContext: restricted,
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }],
        },
      },
      strategy: {
        canary: {
          canaryService: canarySvc,
          stableService: stableSvc,
          ...background,
          steps: steps(r, goldenStep),
        },
      },
    },
  };
  const service = (n: string, extra: Record<string, string> = {}): RenderedObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(n, extra),
    spec: {
      selector: { [NAME_LABEL]: name },
      ports: [{ name: "http", port: model.port, targetPort: "http" }],
    },
  });
  const serviceMonitor: RenderedObject = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: meta(name),
    spec: {
      selector: { matchLabels: { [NAME_LABEL]: name, [SCRAPE_LABEL]: "true" } },
      // Copies rollouts-pod-template-hash onto every series: canary vs stable in queries.
      podTargetLabels: [POD_HASH_LABEL.replace(/_/g, "-")],
      endpoints: [{ port: "http", path: "/metrics", interval: "15s" }],
    },
  };
  const goldenConfigMap: RenderedObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(goldenMap),
    data: { [GOLDEN_KEY]: r.golden },
  };
  const presync: RenderedObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      ...meta(`${name}-presync`),
      annotations: {
        // Runs before anything is applied; a failure stops the sync.
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
      },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 900,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          ...gpuScheduling,
          initContainers: [
            {
              name: "registry",
              image: r.checkerImage,
              command: ["python", "-c", REGISTRY_CHECK_SCRIPT],
              args: [MLFLOW_IN_CLUSTER, release.mlflow.model, String(release.mlflow.version)],
              env: env_,
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              securityContext: restricted,
            },
          ],
          containers: [
            {
              name: "smoke-test",
              // The very digest the Rollout will run.
              image: release.image,
              command: model.smokeTest.command,
              env: env_,
              resources: { requests: resources.requests, limits },
              securityContext: restricted,
              volumeMounts: [
                { name: "golden", mountPath: GOLDEN_MOUNT, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "golden", configMap: { name: goldenMap } },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
  // Only what must reach the model may: its own namespace (other models, the golden
  // comparison Job), monitoring (the scrape), and the namespaces model.yaml names.
  const networkPolicy: RenderedObject = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(name),
    spec: {
      podSelector: { matchLabels: { [NAME_LABEL]: name } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [MODELS_NAMESPACE, MONITORING_NAMESPACE, ...model.clientNamespaces].map((ns) => ({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
          })),
          ports: [{ port: "http", protocol: "TCP" }],
        },
      ],
    },
  };
  // With two or more replicas, node drains keep all but one serving (canary and stable alike).
  const pdb: RenderedObject[] =
    values.replicas >= 2
      ? [
          {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: meta(name),
            spec: {
              maxUnavailable: 1,
              selector: { matchLabels: { [NAME_LABEL]: name } },
              // A pod stuck unready must not block a node drain (kubernetes.io/docs/tasks/run-application/configure-pdb).
              unhealthyPodEvictionPolicy: "AlwaysAllow",
            },
          },
        ]
      : [];
  return [
    rollout,
    networkPolicy,
    ...pdb,
    service(name, { [SCRAPE_LABEL]: "true" }),
    service(canarySvc),
    service(stableSvc),
    serviceMonitor,
    goldenConfigMap,
    presync,
  ];
}

/**
 * PreSync: the registered model version exists in MLflow and is READY
 * (GET /api/2.0/mlflow/model-versions/get). Credentials, when MLflow runs with auth, come from
 * MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD.
 */
export const REGISTRY_CHECK_SCRIPT = `
import base64, json, os, sys, urllib.parse, urllib.request
url, name, version = sys.argv[1], sys.argv[2], sys.argv[3]
q = urllib.parse.urlencode({"name": name, "version": version})
req = urllib.request.Request(f"{url}/api/2.0/mlflow/model-versions/get?{q}")
user, pw = os.environ.get("MLFLOW_TRACKING_USERNAME"), os.environ.get("MLFLOW_TRACKING_PASSWORD")
if user and pw:
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode())
try:
    with urllib.request.urlopen(req, timeout=20) as res:
        status = json.loads(res.read())["model_version"]["status"]
except Exception as err:
    sys.exit(f"{name} version {version}: not found in the MLflow registry ({err})")
if status != "READY":
    sys.exit(f"{name} version {version} is {status} in MLflow, not READY")
print(f"{name} version {version} is READY")
`.trim();

/** File name of a rendered object: <kind>-<name>.yaml, lowercase. */
export const renderedFileName = (o: RenderedObject) =>
  `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;

/** The YAML written for an object (stable key order: the objects are built in a fixed order). */
export const toYaml = (o: RenderedObject) =>
  `# Rendered by \`npm run models -- render\`: do not edit; change model.yaml, values-*.yaml or release-*.yaml.\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`;

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { TrackingStoreOutputs } from "../contracts";
import { customResource, schemaProblems } from "./crd";
import { isPinnedImage } from "../lib/images";
import { validateArgs, type ArgProblem } from "../lib/validation";

export const MLFLOW_PORT = 5000;
/** Key of the backend-store URI inside the MLflow Secret. */
export const BACKEND_URI_KEY = "backend-store-uri";

export interface MlflowServerArgs {
  /** Namespace to run in (must exist; pass the Namespace's name Output). */
  namespace: pulumi.Input<string>;
  /** Name of the Kubernetes ServiceAccount the cloud identity is bound to. */
  serviceAccountName: string;
  /** The cloud layer's tracking store: DB coordinates, secret password, artifact root, SA annotations. */
  store: TrackingStoreOutputs;
  /** Pinned image with mlflow, psycopg2 and the GCS/S3 client libraries. */
  image: string;
  /** Replicas. >= 2 adds a PodDisruptionBudget and zone spread. */
  replicas: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** Namespaces whose pods may call MLflow (plus monitoring for scraping). */
  clientNamespaces: string[];
  /** Namespace of Prometheus (scrapes /metrics). */
  monitoringNamespace: string;
  /** The kube-prometheus-stack release that installs the ServiceMonitor CRD. */
  monitoringRelease: pulumi.Resource;
  /** Labels on every object. */
  labels?: Record<string, string>;
}

export function mlflowServerProblems(args: MlflowServerArgs): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (!isPinnedImage(args.image)) {
    problems.push({
      propertyPath: "image",
      reason: `"${args.image}" is not pinned: use a version tag or digest.`,
    });
  }
  if (args.replicas < 1) problems.push({ propertyPath: "replicas", reason: "must be at least 1." });
  return problems;
}

/** `postgresql://user:password@host:port/db?sslmode=require`, kept secret. */
export function backendStoreUri(store: TrackingStoreOutputs): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.interpolate`postgresql://${store.dbUser}:${store.dbPassword}@${store.dbHost}:${store.dbPort}/${store.dbName}?sslmode=require`,
  );
}

/** The restricted-profile security context every MLflow container gets. Pure. */
export function restrictedContainerSecurityContext() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Server arguments: Postgres backend from the Secret, artifacts proxied to the bucket, Prometheus metrics. */
export function mlflowArgs(artifactRoot: string): string[] {
  return [
    "server",
    "--host=0.0.0.0",
    `--port=${MLFLOW_PORT}`,
    // Kubernetes expands $(VAR) from the container env, which comes from a secretKeyRef.
    "--backend-store-uri=$(MLFLOW_BACKEND_STORE_URI)",
    "--serve-artifacts",
    `--artifacts-destination=${artifactRoot}`,
    "--expose-prometheus=/tmp/prometheus",
  ];
}

/**
 * The MLflow tracking server as our own typed objects: ServiceAccount bound to
 * the cloud identity, a Secret holding the backend URI, a Deployment (probes,
 * limits, restricted security context, read-only root), a ClusterIP Service, a
 * NetworkPolicy admitting only its clients and Prometheus, a ServiceMonitor,
 * and with >= 2 replicas a PodDisruptionBudget and zone spread.
 */
export class MlflowServer extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  /** In-cluster URL, e.g. http://mlflow.mlflow.svc.cluster.local:5000 */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: MlflowServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:tracking:MlflowServer", name, {}, opts);
    const labels = {
      "app.kubernetes.io/name": "mlflow",
      "app.kubernetes.io/component": "tracking-server",
      ...args.labels,
    };
    const selector = { "app.kubernetes.io/name": "mlflow" };
    const ns = args.namespace;
    const ha = args.replicas >= 2;

    const serviceMonitor = new ServiceMonitor({
      metadata: { name: "mlflow", labels },
      spec: {
        selector: { matchLabels: selector },
        endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
      },
    });

    validateArgs("mlops:tracking:MlflowServer", name, [
      ...mlflowServerProblems(args),
      ...schemaProblems({ serviceMonitor }),
    ]);

    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: args.serviceAccountName,
          namespace: ns,
          labels,
          annotations: args.store.serviceAccountAnnotations,
        },
        automountServiceAccountToken: true,
      },
      { parent: this },
    );

    const secret = new k8s.core.v1.Secret(
      `${name}-backend`,
      {
        metadata: { name: "mlflow-backend", namespace: ns, labels },
        type: "Opaque",
        stringData: { [BACKEND_URI_KEY]: backendStoreUri(args.store) },
      },
      { parent: this },
    );

    const podLabels = { ...labels };
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: "mlflow", namespace: ns, labels },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: sa.metadata.name,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 1000,
                runAsGroup: 1000,
                fsGroup: 1000,
                seccompProfile: { type: "RuntimeDefault" },
              },
              topologySpreadConstraints: ha
                ? [
                    {
                      maxSkew: 1,
                      topologyKey: "topology.kubernetes.io/zone",
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: { matchLabels: selector },
                    },
                    {
                      maxSkew: 1,
                      topologyKey: "kubernetes.io/hostname",
                      whenUnsatisfiable: "DoNotSchedule",
                      labelSelector: { matchLabels: selector },
                    },
                  ]
                : undefined,
              containers: [
                {
                  name: "mlflow",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["mlflow"],
                  args: args.store.artifactRoot.apply(mlflowArgs),
                  ports: [{ name: "http", containerPort: MLFLOW_PORT, protocol: "TCP" }],
                  env: [
                    {
                      name: "MLFLOW_BACKEND_STORE_URI",
                      valueFrom: {
                        secretKeyRef: { name: secret.metadata.name, key: BACKEND_URI_KEY },
                      },
                    },
                    { name: "HOME", value: "/tmp" },
                    { name: "PROMETHEUS_MULTIPROC_DIR", value: "/tmp/prometheus" },
                  ],
                  resources: { requests: args.requests, limits: args.limits },
                  readinessProbe: {
                    httpGet: { path: "/health", port: "http" },
                    initialDelaySeconds: 10,
                    periodSeconds: 10,
                    failureThreshold: 3,
                  },
                  livenessProbe: {
                    httpGet: { path: "/health", port: "http" },
                    initialDelaySeconds: 30,
                    periodSeconds: 20,
                    failureThreshold: 5,
                  },
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
            },
          },
        },
      },
      { parent: this },
    );

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: "mlflow", namespace: ns, labels },
        spec: {
          type: "ClusterIP",
          selector,
          ports: [{ name: "http", port: MLFLOW_PORT, targetPort: "http", protocol: "TCP" }],
        },
      },
      { parent: this },
    );

    new k8s.networking.v1.NetworkPolicy(
      `${name}-ingress`,
      {
        metadata: { name: "mlflow-ingress", namespace: ns, labels },
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [
                // Pods in MLflow's own namespace (e.g. migrations, port-forward helpers).
                { podSelector: {} },
                ...[...args.clientNamespaces, args.monitoringNamespace].map((n) => ({
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": n } },
                })),
              ],
              ports: [{ port: MLFLOW_PORT, protocol: "TCP" }],
            },
          ],
        },
      },
      { parent: this },
    );

    if (ha) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: { name: "mlflow", namespace: ns, labels },
          spec: { minAvailable: 1, selector: { matchLabels: selector } },
        },
        { parent: this },
      );
    }

    // The CRD comes with kube-prometheus-stack.
    customResource(`${name}-servicemonitor`, serviceMonitor, ns, {
      parent: this,
      dependsOn: [args.monitoringRelease],
    });

    this.url = pulumi.interpolate`http://${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local:${MLFLOW_PORT}`;
    this.registerOutputs({ url: this.url });
  }
}

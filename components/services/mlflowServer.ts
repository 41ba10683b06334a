import * as k8s from "../lib/k8s";
import { MLFLOW_CLIENT_SECRET } from "../contracts";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { TrackingStoreOutputs } from "../contracts";
import type { MlflowSettings } from "../model";
import { customResource, schemaProblems } from "./crd";
import { isPinnedImage } from "../lib/images";
import { validateArgs, type ArgProblem } from "../lib/validation";

export const MLFLOW_PORT = 5000;
/** The Service (and Deployment) name; clients reach `http://mlflow.<namespace>.svc.cluster.local:5000`. */
export const MLFLOW_SERVICE = "mlflow";
/** Secret with the database password (key `password`), read by libpq as PGPASSWORD. */
export const BACKEND_SECRET = "mlflow-backend";
/** Secret with the basic-auth config file and the admin's credentials (when auth is on). */
export const AUTH_SECRET = "mlflow-auth";
/** Postgres schema of MLflow's auth tables: they keep their own `alembic_version`, which must not meet the tracking schema's. */
export const AUTH_SCHEMA = "mlflow_auth";
/** Memory each server worker is given when sizing `--workers` from the limit. */
export const MEMORY_PER_WORKER_MIB = 512;

export interface MlflowServerArgs extends MlflowSettings {
  /** Namespace to run in (must exist; pass the Namespace's name Output). */
  namespace: pulumi.Input<string>;
  /** Literal namespace name, for the Service DNS names MLflow must accept as Host. */
  namespaceName: string;
  /** Name of the Kubernetes ServiceAccount the cloud identity is bound to. */
  serviceAccountName: string;
  /** The cloud layer's tracking store: DB coordinates, secret password, artifact root, SA annotations. */
  store: TrackingStoreOutputs;
  /** Namespace of Prometheus (scrapes /metrics). */
  monitoringNamespace: string;
  /**
   * With auth on, namespaces that get the Secret `mlflow-client` (username, password) for jobs
   * that call MLflow, e.g. the models' PreSync registry check. The admin's credentials for now:
   * a read-only user needs MLflow API calls after the first start.
   */
  credentialNamespaces?: pulumi.Input<string>[];
  /** The kube-prometheus-stack release that installs the ServiceMonitor CRD. */
  monitoringRelease: pulumi.Resource;
  /** Labels on every object. */
  labels?: Record<string, string>;
}

/** The args validation reads (the plain settings from config). */
export type MlflowServerSettings = Pick<MlflowServerArgs, "image" | "replicas" | "uid">;

export function mlflowServerProblems(args: MlflowServerSettings): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (!isPinnedImage(args.image)) {
    problems.push({
      propertyPath: "image",
      reason: `"${args.image}" is not pinned: use a version tag or digest.`,
    });
  }
  if (args.replicas < 1) problems.push({ propertyPath: "replicas", reason: "must be at least 1." });
  if (!Number.isInteger(args.uid) || args.uid < 1)
    problems.push({
      propertyPath: "uid",
      reason: `${args.uid} is not a non-root uid: use the image's own user id (burakince/mlflow: 1001).`,
    });
  return problems;
}

/**
 * `postgresql://user@host:port/db?sslmode=require`: no password in it, so it can sit in
 * args and env in plain text; libpq takes the password from PGPASSWORD (a secretKeyRef).
 */
export function backendStoreUri(store: TrackingStoreOutputs): pulumi.Output<string> {
  return pulumi.interpolate`postgresql://${store.dbUser}@${store.dbHost}:${store.dbPort}/${store.dbName}?sslmode=require`;
}

/**
 * Host headers MLflow (>= 3.5) accepts. Setting MLFLOW_SERVER_ALLOWED_HOSTS replaces
 * its defaults (mlflow/server/fastapi_security.py get_allowed_hosts), so those are
 * listed again: loopback and private IPs (security_utils.get_default_allowed_hosts),
 * which the kubelet's probes, port-forwards and Prometheus' scrapes of pod IPs use.
 * Patterns are fnmatch'ed only when they hold `*`; a Host carries the port when it is
 * not the scheme's default, so every name is listed bare and as `name:*`. Pure.
 */
export function allowedHosts(namespace: string, hostnames: string[]): string[] {
  const names = [
    MLFLOW_SERVICE,
    `${MLFLOW_SERVICE}.${namespace}`,
    `${MLFLOW_SERVICE}.${namespace}.svc`,
    `${MLFLOW_SERVICE}.${namespace}.svc.cluster.local`,
    ...hostnames,
  ];
  const loopback = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];
  const privateIps = [
    "10.*",
    "192.168.*",
    ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`),
    "fc00:*",
    "fd00:*",
  ];
  return [
    ...names.flatMap((n) => [n, `${n}:*`]),
    ...loopback,
    ...loopback.map((h) => `${h.replace("[", "[[]")}:*`),
    ...privateIps,
  ];
}

/** Server workers for a memory limit: one per 512 MiB, at least 1, at most 8. Pure. */
export function workersFor(memoryLimit: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(memoryLimit);
  const mib = m ? Number(m[1]) * { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2]]! : 0;
  return Math.max(1, Math.min(8, Math.floor(mib / MEMORY_PER_WORKER_MIB)));
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

/** Server arguments. The store URI comes from env ($(VAR) is expanded by the kubelet) and holds no password. Pure. */
export function mlflowArgs(artifactRoot: string, workers: number, auth: boolean): string[] {
  return [
    "server",
    "--host=0.0.0.0",
    `--port=${MLFLOW_PORT}`,
    `--workers=${workers}`,
    "--backend-store-uri=$(MLFLOW_BACKEND_STORE_URI)",
    "--serve-artifacts",
    `--artifacts-destination=${artifactRoot}`,
    "--expose-prometheus=/tmp/prometheus",
    ...(auth ? ["--app-name=basic-auth"] : []),
  ];
}

/**
 * The migration step that runs before every server start (an init container):
 * `mlflow db upgrade` on a database that already has MLflow's tables (a no-op
 * when the schema is current; alembic `upgrade heads`), nothing on an empty one,
 * which the server initialises itself (mlflow/store/db/utils.py
 * `_safe_initialize_tables`). With auth on, it also creates the auth schema.
 * The URI carries no password; libpq reads PGPASSWORD.
 */
export const MIGRATE_SCRIPT = [
  "import os, subprocess, sys, sqlalchemy",
  'url = os.environ["MLFLOW_BACKEND_STORE_URI"]',
  "engine = sqlalchemy.create_engine(url)",
  'if os.environ.get("MLFLOW_AUTH_SCHEMA"):',
  "    with engine.begin() as c:",
  '        c.execute(sqlalchemy.text("CREATE SCHEMA IF NOT EXISTS " + os.environ["MLFLOW_AUTH_SCHEMA"]))',
  'tables = [t for t in sqlalchemy.inspect(engine).get_table_names() if not t.startswith("alembic_")]',
  "if not tables:",
  '    print("empty database: mlflow server creates the schema on its first start")',
  "    sys.exit(0)",
  'sys.exit(subprocess.call(["mlflow", "db", "upgrade", url]))',
].join("\n");

/** The basic-auth config file (mlflow/server/auth/basic_auth.ini keys); its tables live in AUTH_SCHEMA. */
export function basicAuthIni(
  authDbUri: pulumi.Input<string>,
  adminPassword: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.interpolate`[mlflow]
default_permission = READ
database_uri = ${authDbUri}
admin_username = admin
admin_password = ${adminPassword}
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
`;
}

/**
 * The MLflow tracking server as our own typed objects: ServiceAccount bound to
 * the cloud identity, a Secret holding the database password, a Deployment with
 * a migration init container (probes, limits, the image's non-root uid,
 * restricted security context, read-only root), a ClusterIP Service, a
 * NetworkPolicy admitting only its clients and Prometheus, a ServiceMonitor,
 * optional basic auth, and with >= 2 replicas a PodDisruptionBudget and zone spread.
 */
export class MlflowServer extends pulumi.ComponentResource {
  public readonly deployment: k8s.apps.v1.Deployment;
  public readonly service: k8s.core.v1.Service;
  /** In-cluster URL, e.g. http://mlflow.mlflow.svc.cluster.local:5000 */
  public readonly url: pulumi.Output<string>;
  /** The Secret with the admin's `username` and `password` when auth is on. */
  public readonly authSecretName?: string;

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
        endpoints: [
          {
            port: "http",
            path: "/metrics",
            interval: "30s",
            // MLflow's basic auth protects every route but /health and static files
            // (mlflow/server/auth/__init__.py is_unprotected_route), /metrics included.
            ...(args.auth
              ? {
                  basicAuth: {
                    username: { name: AUTH_SECRET, key: "username" },
                    password: { name: AUTH_SECRET, key: "password" },
                  },
                }
              : {}),
          },
        ],
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
        metadata: { name: BACKEND_SECRET, namespace: ns, labels },
        type: "Opaque",
        stringData: { password: pulumi.secret(args.store.dbPassword) },
      },
      { parent: this },
    );
    const uri = backendStoreUri(args.store);

    type Input = k8s.types.input.core.v1.EnvVar;
    const authVolume: {
      volumes: k8s.types.input.core.v1.Volume[];
      mounts: k8s.types.input.core.v1.VolumeMount[];
      env: Input[];
    } = { volumes: [], mounts: [], env: [] };
    let authSecret: k8s.core.v1.Secret | undefined;
    if (args.auth) {
      const adminPassword = new random.RandomPassword(
        `${name}-admin`,
        { length: 32, special: false },
        { parent: this },
      );
      // libpq's `options` puts the auth tables (and their alembic_version) in their own schema.
      // `%%` because MLflow reads the ini with configparser's interpolation (read_auth_config).
      const authUri = pulumi.interpolate`${uri}&options=-csearch_path%%3D${AUTH_SCHEMA}`;
      authSecret = new k8s.core.v1.Secret(
        `${name}-auth`,
        {
          metadata: { name: AUTH_SECRET, namespace: ns, labels },
          type: "Opaque",
          stringData: {
            "basic_auth.ini": pulumi.secret(basicAuthIni(authUri, adminPassword.result)),
            username: "admin",
            password: adminPassword.result,
          },
        },
        { parent: this },
      );
      this.authSecretName = AUTH_SECRET;
      (args.credentialNamespaces ?? []).forEach(
        (namespace, i) =>
          new k8s.core.v1.Secret(
            `${name}-client-${i}`,
            {
              metadata: { name: MLFLOW_CLIENT_SECRET, namespace, labels },
              type: "Opaque",
              stringData: { username: "admin", password: adminPassword.result },
            },
            { parent: this },
          ),
      );
      authVolume.volumes.push({ name: "auth", secret: { secretName: AUTH_SECRET } });
      authVolume.mounts.push({ name: "auth", mountPath: "/etc/mlflow-auth", readOnly: true });
      authVolume.env.push(
        { name: "MLFLOW_AUTH_CONFIG_PATH", value: "/etc/mlflow-auth/basic_auth.ini" },
        { name: "MLFLOW_AUTH_SCHEMA", value: AUTH_SCHEMA },
      );
    }

    const dbEnv: Input[] = [
      { name: "MLFLOW_BACKEND_STORE_URI", value: uri },
      {
        name: "PGPASSWORD",
        valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "password" } },
      },
      { name: "HOME", value: "/tmp" },
    ];
    const workers = workersFor(args.limits.memory);
    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: MLFLOW_SERVICE, namespace: ns, labels },
        spec: {
          replicas: args.replicas,
          selector: { matchLabels: selector },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels: { ...labels } },
            spec: {
              serviceAccountName: sa.metadata.name,
              // The image declares `USER mlflow`, a name: the kubelet can only verify
              // runAsNonRoot for a numeric uid (burakince/mlflow Dockerfile-debian: uid 1001).
              securityContext: {
                runAsNonRoot: true,
                runAsUser: args.uid,
                runAsGroup: args.uid,
                fsGroup: args.uid,
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
              initContainers: [
                {
                  name: "migrate",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["python", "-c", MIGRATE_SCRIPT],
                  env: [...dbEnv, ...authVolume.env.filter((e) => e.name === "MLFLOW_AUTH_SCHEMA")],
                  resources: {
                    requests: { cpu: "100m", memory: "256Mi" },
                    limits: { cpu: "1", memory: "512Mi" },
                  },
                  securityContext: restrictedContainerSecurityContext(),
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              containers: [
                {
                  name: "mlflow",
                  image: args.image,
                  imagePullPolicy: "IfNotPresent",
                  command: ["mlflow"],
                  args: args.store.artifactRoot.apply((root) =>
                    mlflowArgs(root, workers, args.auth),
                  ),
                  ports: [{ name: "http", containerPort: MLFLOW_PORT, protocol: "TCP" }],
                  env: [
                    ...dbEnv,
                    {
                      name: "MLFLOW_SERVER_ALLOWED_HOSTS",
                      value: allowedHosts(args.namespaceName, args.hostnames).join(","),
                    },
                    { name: "PROMETHEUS_MULTIPROC_DIR", value: "/tmp/prometheus" },
                    ...authVolume.env.filter((e) => e.name === "MLFLOW_AUTH_CONFIG_PATH"),
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
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...authVolume.mounts],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }, ...authVolume.volumes],
            },
          },
        },
      },
      { parent: this, dependsOn: authSecret ? [authSecret] : [] },
    );

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: MLFLOW_SERVICE, namespace: ns, labels },
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
                // Pods in MLflow's own namespace (e.g. port-forward helpers).
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
          // A pod stuck unready must not block a node drain (kubernetes.io/docs/tasks/run-application/configure-pdb).
          spec: {
            minAvailable: 1,
            selector: { matchLabels: selector },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
          },
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

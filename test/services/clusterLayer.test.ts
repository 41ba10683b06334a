import { beforeAll, describe, expect, it } from "vitest";
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { ClusterAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { CHARTS } from "../../components/lib/helm";
import { type RecordedResource } from "../../scripts/lib/mocks";
import { recordedStack, runStack, type StackRun } from "../helpers/stack";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";

/** CR type token -> the model class holding its real CRD schema. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "kubernetes:argoproj.io/v1alpha1:Application": Application,
  "kubernetes:argoproj.io/v1alpha1:ApplicationSet": ApplicationSet,
  "kubernetes:argoproj.io/v1alpha1:AppProject": AppProject,
  "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate": ClusterAnalysisTemplate,
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ServiceMonitor,
  "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PrometheusRule,
};

/** Validates a recorded CR's inputs against its CRD schema. */
function validateRecorded(r: RecordedResource): void {
  const Model = MODELS[r.type];
  if (!Model) throw new Error(`no schema for ${r.type}`);
  const { apiVersion: _a, kind: _k, ...data } = r.inputs;
  new Model(data).validate();
}

const runs: Record<string, StackRun> = {};
beforeAll(async () => {
  for (const env of ["dev", "staging", "prod"] as const) runs[env] = await recordedStack(env);
});

describe.each(["dev", "staging", "prod"] as const)("cluster layer in %s", (env) => {
  const run = () => runs[env];
  const release = (chart: string) =>
    run()
      .ofType(RELEASE)
      .find((r) => r.inputs.chart === chart)!;
  const crs = () => run().resources.filter((r) => r.custom && MODELS[r.type]);

  it("creates the platform namespaces with Pod Security labels, training included", () => {
    const names = run()
      .ofType("kubernetes:core/v1:Namespace")
      .map((n) => n.inputs.metadata.name)
      .sort();
    expect(names).toEqual([
      "argo-rollouts",
      "argocd",
      "mlflow",
      "models",
      "monitoring",
      "training",
    ]);
    for (const ns of ["mlflow", "models", "training"]) {
      const n = run()
        .ofType("kubernetes:core/v1:Namespace")
        .find((x) => x.inputs.metadata.name === ns)!;
      expect(n.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], ns).toBe("restricted");
    }
  });

  it("the namespaces the platform's own workloads use admit ingress from their own pods only", () => {
    const policies = run()
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .filter((p) => p.inputs.metadata.name === "namespace-isolation");
    expect(policies.map((p) => p.inputs.metadata.namespace).sort()).toEqual([
      "mlflow",
      "models",
      "training",
    ]);
    for (const p of policies) {
      // every pod of the namespace, ingress only, from pods of the same namespace
      expect(p.inputs.spec).toEqual({
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: {} }] }],
      });
      // created after its namespace
      const ns = run()
        .ofType("kubernetes:core/v1:Namespace")
        .find((n) => n.inputs.metadata.name === p.inputs.metadata.namespace)!;
      expect(p.dependencies, p.inputs.metadata.namespace).toContain(ns.urn);
    }
  });

  it("installs every chart at its exact pinned version from its repo", () => {
    for (const ref of [CHARTS.argoCd, CHARTS.argoRollouts, CHARTS.kubePrometheusStack]) {
      const r = release(ref.chart);
      expect(r, ref.chart).toBeDefined();
      expect(r.inputs.version).toBe(ref.version);
      expect(r.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(r.inputs.repositoryOpts.repo).toBe(ref.repo);
    }
  });

  it("on GKE: no device plugin (GKE installs it), and the DCGM exporter set up for GKE's driver path", () => {
    expect(release("nvidia-device-plugin")).toBeUndefined();
    const dcgm = release("dcgm-exporter");
    expect(dcgm.inputs.version).toBe(CHARTS.dcgmExporter.version);
    const v = dcgm.inputs.values;
    expect(v.extraHostVolumes).toEqual([
      { name: "nvidia-driver", hostPath: "/home/kubernetes/bin/nvidia" },
    ]);
    expect(v.extraVolumeMounts).toContainEqual({
      name: "nvidia-driver",
      mountPath: "/usr/local/nvidia",
      readOnly: true,
    });
    // The chart's own counters mount survives the override (setting the key replaces its list).
    expect(v.extraVolumeMounts.map((m: any) => m.name)).toContain("exporter-metrics-volume");
    expect(v.extraEnv).toEqual([{ name: "LD_LIBRARY_PATH", value: "/usr/local/nvidia/lib64" }]);
    expect(v.securityContext).toEqual({ privileged: true, allowPrivilegeEscalation: true });
    expect(v.tolerations[0]).toEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(v.serviceMonitor.enabled).toBe(true);
  });

  it("every Kubernetes object targets the cluster's provider", () => {
    const provider = run().one("pulumi:providers:kubernetes");
    const k8sObjects = run().resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect(k8sObjects.length).toBeGreaterThan(15);
    for (const r of k8sObjects)
      expect(r.provider.startsWith(provider.urn), `${r.type} ${r.name}`).toBe(true);
  });

  it("Argo CD: HA only in prod, server never exposed, annotation tracking, SSO off by default", () => {
    const v = release("argo-cd").inputs.values;
    const prod = env === "prod";
    expect(v["redis-ha"].enabled).toBe(prod);
    expect(v.controller.replicas).toBe(prod ? 2 : 1);
    expect(v.applicationSet.replicas).toBe(prod ? 2 : 1);
    expect(v.server.autoscaling.enabled).toBe(prod);
    expect(v.repoServer.autoscaling.enabled).toBe(prod);
    if (prod)
      expect([v.server.autoscaling.minReplicas, v.repoServer.autoscaling.minReplicas]).toEqual([
        2, 2,
      ]);
    expect(v.server.service.type).toBe("ClusterIP");
    expect(v.server.ingress.enabled).toBe(false);
    expect(v.configs.cm["application.resourceTrackingMethod"]).toBe("annotation");
    expect(v.configs.cm["oidc.config"]).toBeUndefined();
    expect(v.configs.params["controller.diff.server.side"]).toBe("true");
  });

  it("Argo Rollouts: CRDs kept on uninstall, dashboard off in prod", () => {
    const v = release("argo-rollouts").inputs.values;
    expect(v.keepCRDs).toBe(true);
    expect(v.dashboard.enabled).toBe(env !== "prod");
  });

  it("kube-prometheus-stack sized per env, Grafana admin from a Secret, node-exporter keeps its broad tolerations", () => {
    const v = release("kube-prometheus-stack").inputs.values;
    expect(v.prometheus.prometheusSpec.replicas).toBe(env === "prod" ? 2 : 1);
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(
      "standard-rwo",
    );
    expect(v.grafana.admin.existingSecret).toBe("grafana-admin");
    expect(JSON.stringify(v)).not.toMatch(/adminPassword/);
    // The chart default tolerates every NoSchedule taint; any override would only narrow it.
    expect(v["prometheus-node-exporter"]).toBeUndefined();
  });

  it("managed control plane: no controller-manager, scheduler or etcd scrapes; no kube-proxy under Dataplane V2", () => {
    const v = release("kube-prometheus-stack").inputs.values;
    expect(v.kubeControllerManager.enabled).toBe(false);
    expect(v.kubeScheduler.enabled).toBe(false);
    expect(v.kubeEtcd.enabled).toBe(false);
    expect(v.kubeProxy.enabled).toBe(false);
  });

  it("Alertmanager: receiver secrets mounted from a Secret, never in values; prod routes to its receiver", () => {
    const v = release("kube-prometheus-stack").inputs.values;
    expect(v.alertmanager.alertmanagerSpec.secrets).toEqual(["alertmanager-receivers"]);
    const route = v.alertmanager.config.route;
    expect(route.routes[0]).toEqual({ receiver: "null", matchers: ['alertname = "Watchdog"'] });
    if (env === "prod") {
      expect(route.receiver).toBe("default");
      expect(v.alertmanager.config.receivers.map((r: any) => r.name)).toEqual([
        "null",
        "default",
        "critical",
      ]);
    } else {
      expect(route.receiver).toBe("null");
    }
    const secret = run()
      .ofType("kubernetes:core/v1:Secret")
      .find((s) => s.inputs.metadata.name === "alertmanager-receivers")!;
    expect(secret).toBeDefined();
  });

  describe("MLflow server", () => {
    const dep = () => run().one(DEPLOYMENT);
    const container = () => dep().inputs.spec.template.spec.containers[0];

    it("pinned image, probes, requests and limits", () => {
      expect(container().image).toMatch(/^[^:]+:\d+\.\d+\.\d+$/);
      expect(container().readinessProbe.httpGet).toEqual({ path: "/health", port: "http" });
      expect(container().livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
      expect(container().resources.requests.cpu).toBeTruthy();
      expect(container().resources.limits.memory).toBeTruthy();
    });

    it("restricted security context with a read-only root", () => {
      expect(container().securityContext).toEqual({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(dep().inputs.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    });

    it("the store URI holds no password (libpq reads PGPASSWORD from a secretKeyRef), TLS required; artifacts from the bucket", () => {
      const envOf = (c: any, name: string) => c.env.find((e: any) => e.name === name);
      for (const c of [container(), dep().inputs.spec.template.spec.initContainers[0]]) {
        expect(envOf(c, "MLFLOW_BACKEND_STORE_URI").value).toMatch(
          /^postgresql:\/\/mlflow@10\.100\.0\.3:5432\/mlflow\?sslmode=require$/,
        );
        expect(envOf(c, "PGPASSWORD").valueFrom.secretKeyRef).toEqual({
          name: "mlflow-backend",
          key: "password",
        });
        // Nothing on a command line carries the password (it would show in /proc/<pid>/cmdline).
        expect(JSON.stringify([c.command, c.args])).not.toMatch(/mock-password/);
      }
      const secret = run().one("kubernetes:core/v1:Secret", `mlops-${env}-services-mlflow-backend`);
      expect(secret.secretPaths).toContain("stringData");
      expect(Object.keys(secret.inputs.stringData)).toEqual(["password"]);
      const bucket = run().one("gcp:storage/bucket:Bucket").state.name;
      expect(container().args).toContain(`--artifacts-destination=gs://${bucket}/mlflow`);
      expect(container().args).toContain("--serve-artifacts");
    });

    it("no password appears in plain text in any non-secret input", () => {
      const passwords = run()
        .ofType("random:index/randomPassword:RandomPassword")
        .map((p) => p.state.result);
      for (const r of run().resources) {
        const text = JSON.stringify(r.inputs);
        if (!passwords.some((p) => text.includes(p))) continue;
        expect(
          r.secretPaths.length,
          `${r.type} ${r.name} carries a password outside a secret`,
        ).toBeGreaterThan(0);
        expect(["kubernetes:core/v1:Secret", "gcp:sql/user:User"]).toContain(r.type);
      }
    });

    it("service account annotated for workload identity", () => {
      const sa = run().one("kubernetes:core/v1:ServiceAccount");
      expect(sa.inputs.metadata).toMatchObject({ name: "mlflow", namespace: "mlflow" });
      expect(sa.inputs.metadata.annotations["iam.gke.io/gcp-service-account"]).toMatch(
        /^mlops-.*-mlflow@/,
      );
    });

    it("migrations run before every start: an init container upgrading a non-empty database", () => {
      const init = dep().inputs.spec.template.spec.initContainers;
      expect(init.map((c: any) => c.name)).toEqual(["migrate"]);
      expect(init[0].image).toBe(container().image);
      expect(init[0].command.slice(0, 2)).toEqual(["python", "-c"]);
      expect(init[0].command[2]).toContain('["mlflow", "db", "upgrade", url]');
      expect(init[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    it("workers sized to the memory limit; the image's own numeric uid", () => {
      const limit = container().resources.limits.memory;
      const mib = limit.endsWith("Gi") ? parseInt(limit) * 1024 : parseInt(limit);
      expect(container().args).toContain(`--workers=${Math.max(1, Math.floor(mib / 512))}`);
      const sc = dep().inputs.spec.template.spec.securityContext;
      expect([sc.runAsUser, sc.runAsGroup, sc.fsGroup]).toEqual([1001, 1001, 1001]);
    });

    it("basic auth on in prod only, admin credentials in a Secret, the scrape authenticated", () => {
      const prod = env === "prod";
      expect(container().args.includes("--app-name=basic-auth")).toBe(prod);
      const auth = run()
        .ofType("kubernetes:core/v1:Secret")
        .find((s) => s.inputs.metadata.name === "mlflow-auth");
      expect(!!auth).toBe(prod);
      const sm = run()
        .ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
        .find((s) => s.inputs.metadata.name === "mlflow")!;
      expect(!!sm.inputs.spec.endpoints[0].basicAuth).toBe(prod);
      if (prod) {
        expect(auth!.secretPaths).toContain("stringData");
        const ini = auth!.inputs.stringData["basic_auth.ini"];
        expect(ini).toMatch(/^admin_username = admin$/m);
        // configparser interpolation: a single % would fail MLflow's read_auth_config.
        expect(ini).toMatch(/options=-csearch_path%%3Dmlflow_auth/);
      }
      // The models' PreSync registry check reads these (optional secretKeyRef elsewhere).
      const client = run()
        .ofType("kubernetes:core/v1:Secret")
        .find((s) => s.inputs.metadata.name === "mlflow-client");
      expect(!!client).toBe(prod);
      if (prod) {
        expect(client!.inputs.metadata.namespace).toBe("models");
        expect(client!.inputs.stringData.password).toBe(auth!.inputs.stringData.password);
        expect(client!.secretPaths).toContain("stringData");
      }
    });

    it("ClusterIP service and a NetworkPolicy admitting only its clients and monitoring", () => {
      expect(run().one("kubernetes:core/v1:Service").inputs.spec.type).toBe("ClusterIP");
      const np = run()
        .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        .find((p) => p.inputs.metadata.name === "mlflow-ingress")!.inputs.spec;
      expect(np.policyTypes).toEqual(["Ingress"]);
      const nsAllowed = np.ingress[0].from
        .filter((f: any) => f.namespaceSelector)
        .map((f: any) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]);
      expect(nsAllowed.sort()).toEqual(["models", "monitoring", "training"]);
    });

    it("prod: >= 2 replicas, a PDB and topology spread; other envs: 1 replica, no PDB", () => {
      const spec = dep().inputs.spec;
      if (env === "prod") {
        expect(spec.replicas).toBeGreaterThanOrEqual(2);
        expect(run().ofType(PDB)).toHaveLength(1);
        expect(
          spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey),
        ).toContain("topology.kubernetes.io/zone");
      } else {
        expect(spec.replicas).toBe(1);
        expect(run().ofType(PDB)).toHaveLength(0);
      }
    });
  });

  it("GitOps: projects are never `default`; root app and ApplicationSet from config", () => {
    const apps = run().ofType("kubernetes:argoproj.io/v1alpha1:Application");
    expect(apps).toHaveLength(1);
    expect(apps[0].inputs.spec.project).not.toBe("default");
    expect(apps[0].inputs.spec.source.repoURL).toBe(
      "https://github.com/your-org/ml-deployments.git",
    );
    expect(apps[0].inputs.spec.source.targetRevision).toBe(env === "dev" ? "main" : "v0.1.0");
    const set = run().one("kubernetes:argoproj.io/v1alpha1:ApplicationSet").inputs.spec;
    // Per environment: only models with a release file for this environment, their rendered
    // manifests for it, at gitops.modelsRevision (main), never the platform's pinned revision.
    expect(set.generators[0].git).toEqual({
      repoURL: "https://github.com/your-org/ml-deployments.git",
      revision: "main",
      files: [{ path: `models/*/release-${env}.yaml` }],
    });
    expect(set.template.spec.source).toEqual({
      repoURL: "https://github.com/your-org/ml-deployments.git",
      targetRevision: "main",
      path: `{{.path.path}}/rendered/${env}`,
    });
    expect(set.template.metadata.labels["mlops.dev/environment"]).toBe(env);
    expect(set.template.spec.project).toBe("ml-models");
    expect(set.template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(set.template.spec.syncPolicy.syncOptions).toEqual(
      expect.arrayContaining(["CreateNamespace=true", "ServerSideApply=true"]),
    );
    expect(set.template.spec.syncPolicy.retry.backoff).toMatchObject({
      duration: "10s",
      factor: 2,
    });
    const projects = run()
      .ofType("kubernetes:argoproj.io/v1alpha1:AppProject")
      .map((p) => p.inputs.metadata.name);
    expect(projects.sort()).toEqual(["ml-bootstrap", "ml-models"]);
    const models = run()
      .ofType("kubernetes:argoproj.io/v1alpha1:AppProject")
      .find((p) => p.inputs.metadata.name === "ml-models")!;
    expect(models.inputs.spec.sourceRepos).toEqual([
      "https://github.com/your-org/ml-deployments.git",
    ]);
    expect(
      models.inputs.spec.destinations.every((d: any) => d.namespace.startsWith("models")),
    ).toBe(true);
    const bootstrap = run()
      .ofType("kubernetes:argoproj.io/v1alpha1:AppProject")
      .find((p) => p.inputs.metadata.name === "ml-bootstrap")!;
    // Applications only: an ApplicationSet could template Applications in any project.
    expect(bootstrap.inputs.spec.namespaceResourceWhitelist).toEqual([
      { group: "argoproj.io", kind: "Application" },
    ]);
    expect(bootstrap.inputs.spec.clusterResourceWhitelist).toEqual([]);
  });

  it("the built-in default AppProject is locked by a forced patch after Argo CD is up", () => {
    const patch = run().one("kubernetes:argoproj.io/v1alpha1:AppProjectPatch");
    expect(patch.inputs.metadata).toMatchObject({
      name: "default",
      namespace: "argocd",
      annotations: { "pulumi.com/patchForce": "true" },
    });
    expect(patch.inputs.spec).toMatchObject({
      sourceRepos: [],
      destinations: [],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [],
    });
    expect(patch.dependencies).toContain(release("argo-cd").urn);
  });

  it("model Application names come from basenameNormalized (valid names from any directory name)", () => {
    const set = run().one("kubernetes:argoproj.io/v1alpha1:ApplicationSet").inputs.spec;
    expect(set.template.metadata.name).toBe("model-{{.path.basenameNormalized}}");
    expect(JSON.stringify(set)).not.toContain("{{.path.basename}}");
  });

  it("canary ClusterAnalysisTemplates compare canary pods with stable pods on the in-cluster Prometheus", () => {
    const templates = run().ofType("kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate");
    expect(templates.map((t) => t.inputs.metadata.name).sort()).toEqual([
      "canary-slo",
      "canary-vs-stable",
      "golden-compare",
      "prediction-shift",
    ]);
    for (const t of templates.filter((t) => t.inputs.metadata.name !== "golden-compare"))
      for (const m of t.inputs.spec.metrics) {
        expect(m.provider.prometheus.address).toBe(
          "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
        );
        expect(m.provider.prometheus.query).toContain(
          'rollouts_pod_template_hash="{{args.canary-hash}}"',
        );
        // Empty or NaN results satisfy neither condition: Inconclusive (canaryAnalysis.test.ts).
        expect(m.failureCondition, m.name).toBeDefined();
      }
    // The golden comparison runs as a Job in the pinned MLflow image (it has Python), as its uid.
    const golden = templates.find((t) => t.inputs.metadata.name === "golden-compare")!.inputs.spec;
    const pod = golden.metrics[0].provider.job.spec.template.spec;
    expect(pod.containers[0].image).toBe(ENV_DEFAULTS[env].mlflow.image);
    expect(pod.securityContext.runAsUser).toBe(ENV_DEFAULTS[env].mlflow.uid);
    expect(pod.volumes[0].configMap.name).toBe("{{args.golden-configmap}}");
    // Limits are args whose defaults are the stack's canary config (a model may override them).
    const slo = templates.find((t) => t.inputs.metadata.name === "canary-slo")!.inputs.spec;
    expect(slo.metrics[0].successCondition).toBe(
      "len(result) > 0 && !isNaN(result[0]) && result[0] >= {{args.min-success-rate}}",
    );
    expect(slo.args).toEqual(
      expect.arrayContaining([
        { name: "min-success-rate", value: String(ENV_DEFAULTS[env].canary.minSuccessRate) },
        { name: "min-requests-per-second", value: "0.5" },
      ]),
    );
  });

  it("alerts: model latency, errors, a day-over-day quality drop, and GPU health", () => {
    const rule = run().one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec;
    const alerts = rule.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        "ModelHighP95Latency",
        "ModelHighErrorRate",
        "ModelQualityDrop",
        "GpuXidErrors",
      ]),
    );
    const drop = rule.groups[0].rules.find((r: any) => r.alert === "ModelQualityDrop");
    expect(drop.expr).toContain("offset 1d");
  });

  it("every custom resource is valid against its real CRD schema", () => {
    expect(crs().length).toBeGreaterThanOrEqual(9);
    for (const r of crs()) expect(() => validateRecorded(r), `${r.type} ${r.name}`).not.toThrow();
  });

  it("every custom resource depends on the release that brings its CRD", () => {
    const releaseFor = (type: string) =>
      type.includes("monitoring.coreos.com")
        ? "kube-prometheus-stack"
        : type.includes("ClusterAnalysisTemplate")
          ? "argo-rollouts"
          : "argo-cd";
    for (const r of crs()) {
      const rel = release(releaseFor(r.type));
      expect(
        run().transitiveDependencies(r).has(rel.urn),
        `${r.type} ${r.name} -> ${rel.inputs.chart}`,
      ).toBe(true);
    }
  });

  it("exports the in-cluster MLflow URL and the Argo CD namespace", async () => {
    expect(run().exports.mlflowUrl).toEqual({
      value: "http://mlflow.mlflow.svc.cluster.local:5000",
      secret: false,
    });
    expect(run().exports.argocdNamespace).toEqual({ value: "argocd", secret: false });
  });
});

describe("schema validation can fail", () => {
  it("a deliberately broken Application (no destination, numeric project) fails its CRD schema", () => {
    const broken = {
      type: "kubernetes:argoproj.io/v1alpha1:Application",
      inputs: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: { name: "x" },
        spec: { project: 7, source: { repoURL: "r" } },
      },
    } as unknown as RecordedResource;
    expect(() => validateRecorded(broken)).toThrow();
  });

  it("a broken ClusterAnalysisTemplate (metrics without provider/name) fails", () => {
    const broken = {
      type: "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate",
      inputs: { metadata: { name: "x" }, spec: { metrics: [{ interval: "1m" }] } },
    } as unknown as RecordedResource;
    expect(() => validateRecorded(broken)).toThrow();
  });
});

describe("config-driven cluster layer", () => {
  it("SSO on: OIDC config references a Secret, the client secret stays secret, prod disables local admin", async () => {
    const run = await runStack("prod", {
      "mlops-platform:gitops": {
        sso: {
          enabled: true,
          issuer: "https://login.example.com",
          clientId: "argocd",
          allowedGroups: ["ml-admins"],
        },
        domain: "argocd.ml.example.com",
      },
      "mlops-platform:argocdOidcClientSecret": "s3cr3t-value",
    });
    const v = run.ofType(RELEASE).find((r) => r.inputs.chart === "argo-cd")!.inputs.values;
    expect(v.configs.cm["oidc.config"]).toContain("clientSecret: $argocd-oidc:clientSecret");
    expect(v.configs.cm["admin.enabled"]).toBe(false);
    expect(v.configs.rbac["policy.csv"]).toBe("g, ml-admins, role:admin");
    expect(JSON.stringify(v)).not.toContain("s3cr3t-value");
    // The redirect URL comes from global.domain; unset it would be the chart's argocd.example.com.
    expect(v.global.domain).toBe("argocd.ml.example.com");
    const secret = run.one("kubernetes:core/v1:Secret", "mlops-prod-services-argocd-oidc");
    expect(secret.secretPaths).toContain("stringData");
  });

  it.each([
    ["https", { type: "https", username: "bot" }, { username: "bot", password: "tok3n" }],
    ["ssh", { type: "ssh" }, { sshPrivateKey: "tok3n" }],
    [
      "githubApp",
      { type: "githubApp", appId: 12, installationId: 34 },
      { githubAppID: "12", githubAppInstallationID: "34", githubAppPrivateKey: "tok3n" },
    ],
  ])(
    "private GitOps repo (%s): a declarative repository Secret, kept secret",
    async (_t, credentials, data) => {
      const run = await runStack("dev", {
        "mlops-platform:gitops": { credentials },
        "mlops-platform:gitopsRepoSecret": "tok3n",
      });
      const secret = run.one("kubernetes:core/v1:Secret", "mlops-dev-services-argocd-repo");
      expect(secret.inputs.metadata.labels).toEqual({
        "argocd.argoproj.io/secret-type": "repository",
      });
      expect(secret.inputs.stringData).toEqual({
        type: "git",
        url: "https://github.com/your-org/ml-deployments.git",
        ...data,
      });
      expect(secret.secretPaths).toContain("stringData");
      const release = run.ofType(RELEASE).find((r) => r.inputs.chart === "argo-cd")!;
      expect(release.dependencies).toContain(secret.urn);
      expect(JSON.stringify(release.inputs)).not.toContain("tok3n");
    },
  );
});

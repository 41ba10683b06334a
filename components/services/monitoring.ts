import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs, type ArgProblem } from "../lib/validation";
import { MODELS_NAMESPACE, MODEL_METRICS, POSITIVE_OUTCOME, SERVER_ERROR_STATUS } from "./metrics";

/** Release name of kube-prometheus-stack; fixes the Prometheus Service name other components query. */
export const PROMETHEUS_RELEASE = "kube-prometheus-stack";

/** In-cluster Prometheus URL for a namespace (used by the canary analysis templates). */
export function prometheusUrl(namespace: string): string {
  return `http://${PROMETHEUS_RELEASE}-prometheus.${namespace}.svc.cluster.local:9090`;
}

/** Alert receivers, each switched on by its block (secrets come separately, from Pulumi secret config). */
export interface AlertingSettings {
  /** Slack incoming webhook; the URL is the secret `alertingSlackWebhookUrl`. */
  slack?: { channel: string };
  /** PagerDuty Events API v2; the routing key is the secret `alertingPagerdutyRoutingKey`. Pages for critical alerts only. */
  pagerduty?: Record<string, never>;
  /** Any HTTP endpoint taking Alertmanager's webhook payload; an optional bearer token is the secret `alertingWebhookToken`. */
  webhook?: { url: string };
  /** Email through an SMTP smarthost (`host:port`); the password is the secret `alertingEmailPassword`. */
  email?: { to: string; from: string; smarthost: string; username?: string };
}

/** The secrets of the receivers, from Pulumi secret config. */
export interface AlertingSecrets {
  slackWebhookUrl?: pulumi.Input<string>;
  pagerdutyRoutingKey?: pulumi.Input<string>;
  webhookToken?: pulumi.Input<string>;
  emailPassword?: pulumi.Input<string>;
}

/** The Kubernetes Secret holding receiver secrets; the operator mounts it into Alertmanager. */
export const RECEIVER_SECRET = "alertmanager-receivers";
/** Where prometheus-operator mounts `alertmanagerSpec.secrets` (one directory per Secret). */
const SECRET_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET}`;
/** Keys of the receiver Secret, one per secret value. */
export const RECEIVER_SECRET_KEYS = {
  slackWebhookUrl: "slack-webhook-url",
  pagerdutyRoutingKey: "pagerduty-routing-key",
  webhookToken: "webhook-token",
  emailPassword: "email-password",
} as const satisfies Record<keyof AlertingSecrets, string>;

/** Whether any receiver is configured (prod requires one). */
export function hasReceiver(a: AlertingSettings): boolean {
  return !!(a.slack || a.pagerduty || a.webhook || a.email);
}

/** Receivers without the secret they need, and prod without any receiver. Pure. */
export function alertingProblems(
  env: MonitoringArgs["environment"],
  a: AlertingSettings,
  secrets: Record<keyof AlertingSecrets, boolean>,
): ArgProblem[] {
  const problems: ArgProblem[] = [];
  const need = (receiver: string, key: keyof AlertingSecrets, configKey: string, what: string) =>
    problems.push({
      propertyPath: `alertingSecrets.${key}`,
      reason: `is required by alerting.${receiver}: \`pulumi config set --secret ${configKey} <${what}>\`.`,
    });
  if (a.slack && !secrets.slackWebhookUrl)
    need(
      "slack",
      "slackWebhookUrl",
      "alertingSlackWebhookUrl",
      "https://hooks.slack.com/services/...",
    );
  if (a.pagerduty && !secrets.pagerdutyRoutingKey)
    need(
      "pagerduty",
      "pagerdutyRoutingKey",
      "alertingPagerdutyRoutingKey",
      "Events API v2 routing key",
    );
  if (env === "prod" && !hasReceiver(a))
    problems.push({
      propertyPath: "alerting",
      reason:
        "has no receiver, so every prod alert would be dropped: configure alerting.slack, alerting.pagerduty, alerting.webhook or alerting.email (the README lists their secrets).",
    });
  return problems;
}

/**
 * The Alertmanager configuration: warnings and infos to Slack, webhook and
 * email; criticals to those and PagerDuty; the chart's Watchdog and
 * InfoInhibitor to `null`. Secrets are read from files of the mounted Secret
 * (`*_file` fields), never written into Helm values. With no receiver
 * configured (dev) every alert goes to `null`. Pure.
 */
export function alertmanagerConfig(
  a: AlertingSettings,
  secrets: Record<keyof AlertingSecrets, boolean>,
) {
  const file = (key: keyof AlertingSecrets) => `${SECRET_DIR}/${RECEIVER_SECRET_KEYS[key]}`;
  const text =
    "{{ range .Alerts }}[{{ .Labels.severity }}] {{ .Annotations.summary }} (runbook: {{ .Annotations.runbook }})\n{{ end }}";
  const shared = {
    ...(a.slack
      ? {
          slack_configs: [
            {
              channel: a.slack.channel,
              api_url_file: file("slackWebhookUrl"),
              send_resolved: true,
              text,
            },
          ],
        }
      : {}),
    ...(a.webhook
      ? {
          webhook_configs: [
            {
              url: a.webhook.url,
              send_resolved: true,
              ...(secrets.webhookToken
                ? { http_config: { authorization: { credentials_file: file("webhookToken") } } }
                : {}),
            },
          ],
        }
      : {}),
    ...(a.email
      ? {
          email_configs: [
            {
              to: a.email.to,
              from: a.email.from,
              smarthost: a.email.smarthost,
              require_tls: true,
              send_resolved: true,
              ...(a.email.username ? { auth_username: a.email.username } : {}),
              ...(secrets.emailPassword ? { auth_password_file: file("emailPassword") } : {}),
            },
          ],
        }
      : {}),
  };
  const receivers: Record<string, unknown>[] = [{ name: "null" }];
  const anyShared = Object.keys(shared).length > 0;
  if (anyShared) receivers.push({ name: "default", ...shared });
  if (a.pagerduty || anyShared)
    receivers.push({
      name: "critical",
      ...shared,
      ...(a.pagerduty
        ? {
            pagerduty_configs: [
              { routing_key_file: file("pagerdutyRoutingKey"), send_resolved: true },
            ],
          }
        : {}),
    });
  const critical = receivers.some((r) => r.name === "critical");
  return {
    route: {
      receiver: anyShared ? "default" : "null",
      group_by: ["namespace", "alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes: [
        { receiver: "null", matchers: ['alertname = "Watchdog"'] },
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
        ...(critical
          ? [{ receiver: "critical", matchers: ['severity = "critical"'], repeat_interval: "1h" }]
          : []),
      ],
    },
    receivers,
  };
}

export interface MonitoringArgs {
  /** Namespace name (created by the caller). */
  namespace: pulumi.Input<string>;
  /** Literal namespace name, for in-cluster URLs. */
  namespaceName: string;
  environment: "dev" | "staging" | "prod";
  /** StorageClass for Prometheus' volume (from the cluster contract). */
  storageClass: string;
  /** Whether the cluster runs kube-proxy (EKS) or not (GKE Dataplane V2): no target, no scrape. */
  hasKubeProxy: boolean;
  /** Alert receivers. */
  alerting: AlertingSettings;
  /** Their secrets. */
  alertingSecrets: AlertingSecrets;
}

/**
 * Chart values per environment (keys checked against kube-prometheus-stack
 * 82.10.5 charts/kube-prometheus-stack/values.yaml). Pure: prod is replicated
 * with persistent storage.
 */
export function kubePrometheusStackValues(
  env: MonitoringArgs["environment"],
  storageClass: string,
  opts: { hasKubeProxy: boolean; alertmanager: ReturnType<typeof alertmanagerConfig> },
) {
  const prod = env === "prod";
  const size = { dev: "20Gi", staging: "50Gi", prod: "200Gi" }[env];
  return {
    fullnameOverride: PROMETHEUS_RELEASE,
    crds: { enabled: true },
    // Managed control planes (GKE, EKS) expose no controller-manager, scheduler or etcd
    // endpoints to the cluster: scraping them only yields *Down alerts forever.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    // GKE Dataplane V2 replaces kube-proxy (no target); EKS runs it as an add-on.
    kubeProxy: { enabled: opts.hasKubeProxy },
    prometheus: {
      prometheusSpec: {
        replicas: prod ? 2 : 1,
        retention: { dev: "3d", staging: "7d", prod: "15d" }[env],
        // Pick up every ServiceMonitor/PodMonitor/PrometheusRule, not only the chart's own.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        resources: prod
          ? { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "8Gi" } }
          : { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } },
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: storageClass,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: size } },
            },
          },
        },
      },
    },
    alertmanager: {
      config: opts.alertmanager,
      alertmanagerSpec: {
        replicas: prod ? 2 : 1,
        // Mounted at /etc/alertmanager/secrets/<name>/ by prometheus-operator; the config reads *_file from there.
        secrets: [RECEIVER_SECRET],
      },
    },
    grafana: {
      enabled: true,
      // Admin credentials come from our Secret, never the chart's default password.
      admin: {
        existingSecret: "grafana-admin",
        userKey: "admin-user",
        passwordKey: "admin-password",
      },
      service: { type: "ClusterIP" },
    },
    // prometheus-node-exporter keeps its chart default tolerations (4.52.1 values.yaml:
    // `- effect: NoSchedule, operator: Exists`), so GPU and any other tainted nodes report too.
  };
}

/** Where each alert's runbook lives (a heading in docs/runbooks.md, anchored by the alert's name). */
export const RUNBOOKS = "docs/runbooks.md";
const runbook = (alert: string) => `${RUNBOOKS}#${alert.toLowerCase()}`;

const { requests, latency, predictions, precision } = MODEL_METRICS;
const models = `namespace="${MODELS_NAMESPACE}"`;
/** Every model expression aggregates to (namespace, service): pods come and go, the service stays. */
const BY_SERVICE = "sum by (namespace, service)";

/**
 * Alerts on model serving (latency, errors, quality and prediction drift day
 * over day) and on GPUs (DCGM exporter metrics, both clouds). Pure.
 */
export function platformAlertRules() {
  const alert = (
    name: string,
    expr: string,
    forDuration: string,
    severity: "critical" | "warning" | "info",
    summary: string,
  ) => ({
    alert: name,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, runbook: runbook(name) },
  });
  const positiveShare = (offset: string) =>
    `${BY_SERVICE} (rate(${predictions}{${models},outcome="${POSITIVE_OUTCOME}"}[1h]${offset})) / ${BY_SERVICE} (rate(${predictions}{${models}}[1h]${offset}))`;
  return [
    {
      name: "model-serving",
      rules: [
        alert(
          "ModelHighP95Latency",
          `histogram_quantile(0.95, sum by (le, namespace, service) (rate(${latency}_bucket{${models}}[5m]))) > 0.5`,
          "10m",
          "warning",
          "p95 latency of {{ $labels.service }} is above 500ms for 10 minutes.",
        ),
        alert(
          "ModelHighErrorRate",
          `${BY_SERVICE} (rate(${requests}{${models},${SERVER_ERROR_STATUS}}[5m])) / ${BY_SERVICE} (rate(${requests}{${models}}[5m])) > 0.01`,
          "5m",
          "critical",
          "More than 1% of requests to {{ $labels.service }} fail.",
        ),
        alert(
          "ModelQualityDrop",
          // Today's mean precision against yesterday's, per service: a restart changes the pod label, not the service.
          `avg by (namespace, service) (avg_over_time(${precision}{${models}}[1d])) < avg by (namespace, service) (avg_over_time(${precision}{${models}}[1d] offset 1d)) - 0.05`,
          "1h",
          "warning",
          "Precision of {{ $labels.service }} dropped by more than 5 points against yesterday.",
        ),
        alert(
          "ModelPredictionDrift",
          // The seeds' drift alert, made valid PromQL: the share of positive predictions moved by more than 2 points in a day.
          `abs(${positiveShare("")} - ${positiveShare(" offset 1d")}) > 0.02`,
          "1h",
          "warning",
          "The positive-prediction share of {{ $labels.service }} moved by more than 2 points against yesterday.",
        ),
      ],
    },
    {
      // Labels from dcgm-exporter 4.8.2 (chart dcgm-exporter 4.8.2): `Hostname` and `gpu`.
      name: "gpu",
      rules: [
        alert(
          "GpuXidErrors",
          "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS) > 0",
          "5m",
          "critical",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reports XID errors.",
        ),
        alert(
          "GpuHighTemperature",
          "max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP) > 85",
          "10m",
          "warning",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is above 85C.",
        ),
        alert(
          "GpuIdleButAllocated",
          "avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL) < 5 and on (Hostname, gpu) max by (Hostname, gpu) (DCGM_FI_DEV_FB_USED) > 0",
          "2h",
          "info",
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is allocated but idle for 2 hours.",
        ),
      ],
    },
  ];
}

/**
 * kube-prometheus-stack at a pinned version, sized per environment, with
 * Grafana's admin password generated and kept in a Secret, plus the platform's
 * PrometheusRule (model and GPU alerts).
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly release: k8s.Release;
  public readonly prometheusUrl: string;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:monitoring:Monitoring", name, {}, opts);
    const rule = new PrometheusRule({
      metadata: {
        name: "mlops-platform-alerts",
        labels: { "app.kubernetes.io/part-of": "mlops-platform" },
      },
      spec: { groups: platformAlertRules() },
    });
    const secretsSet = Object.fromEntries(
      (Object.keys(RECEIVER_SECRET_KEYS) as (keyof AlertingSecrets)[]).map((k) => [
        k,
        args.alertingSecrets[k] !== undefined,
      ]),
    ) as Record<keyof AlertingSecrets, boolean>;
    validateArgs("mlops:monitoring:Monitoring", name, [
      ...alertingProblems(args.environment, args.alerting, secretsSet),
      ...schemaProblems({ prometheusRule: rule }),
    ]);

    const receiverSecret = new k8s.core.v1.Secret(
      `${name}-alert-receivers`,
      {
        metadata: { name: RECEIVER_SECRET, namespace: args.namespace },
        type: "Opaque",
        stringData: Object.fromEntries(
          (Object.keys(RECEIVER_SECRET_KEYS) as (keyof AlertingSecrets)[])
            .filter((k) => args.alertingSecrets[k] !== undefined)
            .map((k) => [RECEIVER_SECRET_KEYS[k], pulumi.secret(args.alertingSecrets[k]!)]),
        ),
      },
      { parent: this },
    );

    const adminPassword = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 24, special: false },
      { parent: this },
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: "grafana-admin", namespace: args.namespace },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": adminPassword.result },
      },
      { parent: this },
    );

    this.release = pinnedRelease(
      `${name}-kube-prometheus-stack`,
      CHARTS.kubePrometheusStack,
      {
        releaseName: PROMETHEUS_RELEASE,
        namespace: args.namespace,
        values: kubePrometheusStackValues(args.environment, args.storageClass, {
          hasKubeProxy: args.hasKubeProxy,
          alertmanager: alertmanagerConfig(args.alerting, secretsSet),
        }),
      },
      { parent: this, dependsOn: [adminSecret, receiverSecret] },
    );

    customResource(`${name}-alerts`, rule, args.namespace, {
      parent: this,
      dependsOn: [this.release],
    });

    this.prometheusUrl = prometheusUrl(args.namespaceName);
    this.registerOutputs({ prometheusUrl: this.prometheusUrl });
  }
}

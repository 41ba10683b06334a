/**
 * The one schema for a stack's config (the `mlops-platform:*` keys of
 * `Pulumi.<stack>.yaml`). Every key is optional here: environment defaults
 * (./defaults.ts) fill the gaps, then ./config.ts validates the merged result.
 *
 * Messages are written for the person editing the stack file: each names what is
 * wrong and what to write instead.
 */
import { z } from "zod";
import {
  CI_RUNNER_REASONS,
  CONNECTION_ARN_RE,
  GITHUB_REPO_RE,
  IAM_PRINCIPAL_RE,
} from "../components/aws/names";
import { ADDON_VERSION_RE } from "../components/aws/eks/addonVersions";
import {
  CLOUDS,
  DB_SIZES,
  CI_RUNNER_COMPUTE_TYPES,
  EKS_ADDONS,
  ENVIRONMENTS,
  GPU_KINDS,
  MIN_POSTGRES_VERSION,
} from "../components/model";
import { isPinnedImage } from "../components/lib/images";
import { isCidr } from "../components/lib/net";

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy, `retentionInDays`). */
const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

const DNS_LABEL_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** GCP label keys: lowercase letter first, then lowercase, digits, `_` and `-`, at most 63. */
const LABEL_KEY_RE = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE_RE = /^[a-z0-9_-]{0,63}$/;

const enumMsg = (values: readonly string[]) => ({
  error: (issue: { input?: unknown }) =>
    `"${String(issue.input)}" is not allowed: use one of ${values.join(", ")}.`,
});

export const cidr = z
  .string({ error: "must be a CIDR string such as 10.0.0.0/20." })
  .refine(isCidr, {
    error: (i) => `"${String(i.input)}" is not a CIDR: write it as a.b.c.d/n, e.g. 10.0.0.0/20.`,
  });

const positiveInt = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a whole number.` })
    .int({ error: `${what} must be a whole number.` })
    .min(0, { error: `${what} cannot be negative.` })
    .max(max, { error: (i) => `${what} ${String(i.input)} is above ${max}: lower it.` });

/** Upper bound on any one pool's maxNodes: above this is almost certainly a typo. */
export const MAX_NODES_PER_POOL = 64;

export const gpuPoolSchema = z.strictObject({
  name: z
    .string({ error: "pool name is required: a short DNS label such as l4-inference." })
    .max(24, { error: "pool name is longer than 24 characters: shorten it." })
    .regex(DNS_LABEL_RE, {
      error: (i) =>
        `pool name "${String(i.input)}" must be lowercase letters, digits and '-', starting with a letter.`,
    }),
  gpu: z.enum(GPU_KINDS, enumMsg(GPU_KINDS)),
  gpusPerNode: z
    .number({ error: "gpusPerNode must be a number such as 1." })
    .int({ error: "gpusPerNode must be a whole number." })
    .min(1, { error: "gpusPerNode must be at least 1." })
    .max(16, { error: "gpusPerNode above 16 does not exist on any cloud: lower it." })
    .default(1),
  minNodes: positiveInt("minNodes", MAX_NODES_PER_POOL).default(0),
  maxNodes: positiveInt("maxNodes", MAX_NODES_PER_POOL),
  spot: z.boolean({ error: "spot must be true or false." }).default(false),
  machineType: z.string().min(1).optional(),
  zones: z
    .array(z.string().min(1))
    .min(1, { error: "zones, when set, must list at least one zone." })
    .optional(),
  driverVersion: z.enum(["DEFAULT", "LATEST"], enumMsg(["DEFAULT", "LATEST"])).default("DEFAULT"),
});

/** An IAM role or user ARN; `example` names the role in the message. */
const iamPrincipal = (example: string) =>
  z.string().regex(IAM_PRINCIPAL_RE, {
    error: (i) =>
      `"${String(i.input)}" is not an IAM role or user ARN: write arn:aws:iam::123456789012:role/${example}.`,
  });

const authorizedNetworkSchema = z.strictObject({
  name: z.string({ error: "each authorized network needs a name (e.g. office-vpn)." }).min(1),
  cidr,
});

const resourcesSchema = z.strictObject({
  cpu: z.string().regex(/^\d+(\.\d+)?m?$/, {
    error: (i) => `"${String(i.input)}" is not a CPU quantity such as 500m or 2.`,
  }),
  memory: z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, {
    error: (i) => `"${String(i.input)}" is not a memory quantity such as 512Mi or 2Gi.`,
  }),
});

export const stackConfigSchema = z.strictObject({
  cloud: z.enum(CLOUDS, enumMsg(CLOUDS)).optional(),
  environment: z.enum(ENVIRONMENTS, enumMsg(ENVIRONMENTS)).optional(),
  namePrefix: z
    .string()
    .max(16, {
      error: "namePrefix is longer than 16 characters (cloud names have limits): shorten it.",
    })
    .regex(DNS_LABEL_RE, {
      error: (i) =>
        `"${String(i.input)}" must be lowercase letters, digits and '-', starting with a letter.`,
    })
    .optional(),
  labels: z
    .record(
      z.string().regex(LABEL_KEY_RE, {
        error: (i) =>
          `label key "${String(i.input)}" must be lowercase, start with a letter, at most 63 characters.`,
      }),
      z.string().regex(LABEL_VALUE_RE, {
        error: (i) =>
          `label value "${String(i.input)}" must be lowercase letters, digits, '_' or '-', at most 63.`,
      }),
    )
    .optional(),
  network: z
    .strictObject({
      nodeCidr: cidr.optional(),
      podCidr: cidr.optional(),
      serviceCidr: cidr.optional(),
      controlPlaneCidr: cidr.optional(),
      vpcCidr: cidr.optional(),
      natGateways: z.enum(["single", "perZone"], enumMsg(["single", "perZone"])).optional(),
      flowLogs: z.boolean({ error: "flowLogs must be true or false." }).optional(),
    })
    .optional(),
  cluster: z
    .strictObject({
      releaseChannel: z
        .enum(["RAPID", "REGULAR", "STABLE"], enumMsg(["RAPID", "REGULAR", "STABLE"]))
        .optional(),
      kubernetesVersion: z
        .string()
        .regex(/^1\.\d{2}$/, {
          error: (i) => `"${String(i.input)}" must be a minor version such as 1.33.`,
        })
        .optional(),
      authorizedNetworks: z.array(authorizedNetworkSchema).optional(),
      privateEndpoint: z.boolean().optional(),
      systemPool: z
        .strictObject({
          machineType: z.string().min(1).optional(),
          minNodes: positiveInt("minNodes", MAX_NODES_PER_POOL).optional(),
          maxNodes: positiveInt("maxNodes", MAX_NODES_PER_POOL).optional(),
        })
        .optional(),
      adminPrincipals: z.array(iamPrincipal("platform-admins")).optional(),
      deployerPrincipal: iamPrincipal("github-deploy").optional(),
      viewerPrincipals: z.array(iamPrincipal("github-preview")).optional(),
      addonVersions: z
        .partialRecord(
          z.enum(EKS_ADDONS, enumMsg(EKS_ADDONS)),
          z.string().regex(ADDON_VERSION_RE, {
            error: (i) =>
              `"${String(i.input)}" is not an EKS add-on version: write it as v1.20.1-eksbuild.3 (aws eks describe-addon-versions).`,
          }),
        )
        .optional(),
      deletionProtection: z
        .boolean({ error: "deletionProtection must be true or false." })
        .optional(),
      logRetentionDays: z
        .number({ error: "logRetentionDays must be a number of days such as 90." })
        .int({ error: "logRetentionDays must be a whole number." })
        .refine((d) => CLOUDWATCH_RETENTION_DAYS.includes(d), {
          error: (i) =>
            `${String(i.input)} is not a CloudWatch Logs retention: use one of ${CLOUDWATCH_RETENTION_DAYS.join(", ")}.`,
        })
        .optional(),
      retainLogs: z.boolean({ error: "retainLogs must be true or false." }).optional(),
      ciRunner: z
        .strictObject({
          repository: z.string().regex(GITHUB_REPO_RE, {
            error: (i) => CI_RUNNER_REASONS.repository(String(i.input)),
          }),
          connectionArn: z.string().regex(CONNECTION_ARN_RE, {
            error: (i) => CI_RUNNER_REASONS.connectionArn(String(i.input)),
          }),
          computeType: z
            .enum(CI_RUNNER_COMPUTE_TYPES, enumMsg(CI_RUNNER_COMPUTE_TYPES))
            .default("BUILD_GENERAL1_MEDIUM"),
        })
        .optional(),
      adoptLogGroup: z.boolean({ error: "adoptLogGroup must be true or false." }).optional(),
    })
    .optional(),
  gpuPools: z.array(gpuPoolSchema).optional(),
  database: z
    .strictObject({
      size: z.enum(DB_SIZES, enumMsg(DB_SIZES)).optional(),
      postgresVersion: z
        .number()
        .int()
        .min(MIN_POSTGRES_VERSION, {
          error: (i) =>
            `PostgreSQL ${String(i.input)} is too old: use ${MIN_POSTGRES_VERSION}, 16 or 17.`,
        })
        .max(17, {
          error: (i) =>
            `PostgreSQL ${String(i.input)} is not supported yet: use ${MIN_POSTGRES_VERSION}, 16 or 17.`,
        })
        .optional(),
      highAvailability: z.boolean().optional(),
      backupRetentionDays: z
        .number()
        .int()
        .min(1, { error: "backupRetentionDays must be at least 1." })
        .max(365, { error: "backupRetentionDays above 365 is not supported: lower it." })
        .optional(),
      // Cloud SQL's 1..7 day limit is GcpTrackingStore's rule (gcp/trackingStore.ts); here only the shape.
      pitrRetentionDays: z
        .number({ error: "pitrRetentionDays must be a number of days such as 7." })
        .int({ error: "pitrRetentionDays must be a whole number of days." })
        .optional(),
      diskSizeGb: z
        .number()
        .int()
        .min(10, { error: "diskSizeGb must be at least 10." })
        .max(65536)
        .optional(),
      deletionProtection: z.boolean().optional(),
      finalSnapshot: z.boolean({ error: "finalSnapshot must be true or false." }).optional(),
      applyImmediately: z.boolean({ error: "applyImmediately must be true or false." }).optional(),
    })
    .optional(),
  mlflow: z
    .strictObject({
      image: z
        .string()
        .regex(/^[^\s:@]+(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, {
          error: "must be an image reference such as repo/mlflow:3.15.1.",
        })
        .refine(isPinnedImage, {
          error: "must be pinned to a version tag or digest, not latest or untagged.",
        })
        .optional(),
      replicas: z
        .number()
        .int()
        .min(1, { error: "replicas must be at least 1." })
        .max(20)
        .optional(),
      uid: z
        .number({ error: "uid must be the image's numeric user id, e.g. 1001." })
        .int({ error: "uid must be a whole number." })
        .min(1, { error: "uid 0 is root: use the image's own non-root user id." })
        .optional(),
      requests: resourcesSchema.optional(),
      limits: resourcesSchema.optional(),
      clientNamespaces: z
        .array(
          z.string().regex(DNS_LABEL_RE, {
            error: (i) => `"${String(i.input)}" is not a namespace name (a lowercase DNS label).`,
          }),
        )
        .optional(),
      hostnames: z
        .array(
          z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
            error: (i) => `"${String(i.input)}" is not a host name such as mlflow.example.com.`,
          }),
        )
        .optional(),
      auth: z.boolean({ error: "auth must be true or false." }).optional(),
    })
    .optional(),
  alerting: z
    .strictObject({
      slack: z.strictObject({
        channel: z.string({ error: 'slack.channel is required, e.g. "#ml-alerts".' }).min(1),
      }),
      pagerduty: z.strictObject({}),
      webhook: z.strictObject({
        url: z.string().regex(/^https:\/\//, { error: "webhook.url must be an https:// URL." }),
      }),
      email: z.strictObject({
        to: z.string().email({ error: "email.to must be an email address." }),
        from: z.string().email({ error: "email.from must be an email address." }),
        smarthost: z.string().regex(/^[^\s:]+:\d+$/, {
          error: "email.smarthost must be host:port, e.g. smtp.example.com:587.",
        }),
        username: z.string().min(1).optional(),
      }),
    })
    .partial()
    .optional(),
  gitops: z
    .strictObject({
      repoUrl: z
        .string()
        .regex(/^(https:\/\/|git@|ssh:\/\/)\S+$/, {
          error: (i) => `"${String(i.input)}" must be an https:// or ssh git URL.`,
        })
        .optional(),
      path: z.string().min(1).optional(),
      modelsPath: z.string().min(1).optional(),
      targetRevision: z.string().min(1).optional(),
      modelsRevision: z.string().min(1).optional(),
      domain: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
          error: (i) =>
            `"${String(i.input)}" is not a host name such as argocd.example.com (no scheme).`,
        })
        .optional(),
      credentials: z
        .discriminatedUnion(
          "type",
          [
            z.strictObject({
              type: z.literal("https"),
              username: z.string().min(1).default("git"),
            }),
            z.strictObject({ type: z.literal("ssh") }),
            z.strictObject({
              type: z.literal("githubApp"),
              appId: z.number().int().positive(),
              installationId: z.number().int().positive(),
            }),
          ],
          { error: "credentials.type must be https, ssh or githubApp." },
        )
        .optional(),
      notifications: z
        .strictObject({
          appId: z.number().int().positive(),
          installationId: z.number().int().positive(),
        })
        .optional(),
      sso: z
        .strictObject({
          enabled: z.boolean(),
          issuer: z
            .string()
            .regex(/^https:\/\//, { error: "issuer must be an https:// URL." })
            .optional(),
          clientId: z.string().min(1).optional(),
          allowedGroups: z.array(z.string().min(1)).optional(),
        })
        .optional(),
    })
    .optional(),
  canary: z
    .strictObject({
      minSuccessRate: z
        .number()
        .min(0.5)
        .max(1, { error: "minSuccessRate is a ratio between 0.5 and 1." })
        .optional(),
      maxP95LatencySeconds: z
        .number()
        .positive({ error: "maxP95LatencySeconds must be above 0." })
        .optional(),
      maxErrorRateIncrease: z
        .number()
        .min(0)
        .max(1, { error: "maxErrorRateIncrease is a ratio between 0 and 1 (0.01: one point)." })
        .optional(),
      maxLatencyRatio: z
        .number()
        .min(1, { error: "maxLatencyRatio is canary p95 / stable p95: 1 or more, e.g. 1.25." })
        .optional(),
      maxPredictionShift: z
        .number()
        .min(0)
        .max(1, { error: "maxPredictionShift is a ratio between 0 and 1." })
        .optional(),
      minRequestsPerSecond: z
        .number()
        .positive({
          error:
            "minRequestsPerSecond must be above 0: with no traffic floor an idle canary could pass.",
        })
        .optional(),
    })
    .optional(),
  /** Secret config values (set with `pulumi config set --secret`); referenced by name from other keys. */
  argocdOidcClientSecret: z.string().optional(),
  gitopsRepoSecret: z.string().optional(),
  gitopsNotificationsPrivateKey: z
    .string()
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, {
      error:
        "gitopsNotificationsPrivateKey must be the GitHub App's private key (PEM): pulumi config set --secret gitopsNotificationsPrivateKey < app.pem",
    })
    .optional(),
  alertingSlackWebhookUrl: z
    .string()
    .regex(/^https:\/\/hooks\.slack\.com\//, {
      error:
        "alertingSlackWebhookUrl must be a Slack incoming webhook (https://hooks.slack.com/...).",
    })
    .optional(),
  alertingPagerdutyRoutingKey: z.string().min(1).optional(),
  alertingWebhookToken: z.string().min(1).optional(),
  alertingEmailPassword: z.string().min(1).optional(),
  artifacts: z
    .strictObject({
      keepVersions: z
        .number()
        .int()
        .min(1, { error: "keepVersions must keep at least 1 noncurrent version." })
        .max(100, {
          error: "keepVersions above 100 makes the bucket grow without bound: lower it.",
        })
        .optional(),
      forceDestroy: z.boolean().optional(),
    })
    .optional(),
});

export type StackConfigInput = z.infer<typeof stackConfigSchema>;
export type GpuPoolInput = z.input<typeof gpuPoolSchema>;

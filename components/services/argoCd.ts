import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs, type ArgProblem } from "../lib/validation";
import { commitStatusContext, releaseFileName, renderedDir } from "../lib/gitopsLayout";
import { stringify } from "yaml";
import { PINNED_REVISION_RE, type PlatformConfig } from "../model";

const IN_CLUSTER = "https://kubernetes.default.svc";
/** Secret (labelled part-of argocd) the OIDC config reads `$argocd-oidc:clientSecret` from. */
export const OIDC_SECRET = "argocd-oidc";

export interface SsoSettings {
  enabled: boolean;
  issuer?: string;
  clientId?: string;
  /** IdP groups granted role:admin. Everyone else who logs in is read-only. */
  allowedGroups?: string[];
}

export type GitOpsSettings = Omit<PlatformConfig["gitops"], "sso">;

/** Where Argo CD is reached when no domain is configured: the README's port-forward. */
export const PORT_FORWARD_HOST = "localhost:8080";

/** Secret holding the GitOps repository's credentials (Argo CD's declarative repository Secret). */
export const REPO_SECRET = "gitops-repo";

export interface ArgoCdArgs {
  /** Namespace of Argo CD (created by the caller). */
  namespace: pulumi.Input<string>;
  /** Literal namespace name (Applications must live there). */
  namespaceName: string;
  environment: "dev" | "staging" | "prod";
  gitops: GitOpsSettings;
  sso: SsoSettings;
  /** OIDC client secret; required when `sso.enabled`. Stored only in a Kubernetes Secret. */
  oidcClientSecret?: pulumi.Input<string>;
  /** The GitOps repo's secret (token, SSH key or GitHub App key) for `gitops.credentials`. */
  repoSecret?: pulumi.Input<string>;
  /** Private key of the GitHub App in `gitops.notifications`. */
  notificationsKey?: pulumi.Input<string>;
  /** Namespace model Applications deploy into. */
  modelsNamespace: string;
  /** Release that brings the ServiceMonitor CRD (Argo CD's metrics monitors). */
  monitoringRelease: pulumi.Resource;
}

/** Requests and limits of a component: HPAs compute utilisation from requests (none means no scaling). */
const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * Chart values per environment (keys checked against argo-cd 9.5.11
 * charts/argo-cd/values.yaml). Pure: HA only in prod, server never exposed,
 * annotation tracking, SSO optional, requests and limits on every component.
 */
export function argoCdValues(
  env: ArgoCdArgs["environment"],
  sso: SsoSettings,
  domain: string | undefined,
  notifications?: GitOpsSettings["notifications"],
) {
  const prod = env === "prod";
  const cm: Record<string, unknown> = {
    "application.resourceTrackingMethod": "annotation",
    "exec.enabled": false,
    "admin.enabled": !(sso.enabled && prod),
    "statusbadge.enabled": false,
  };
  if (sso.enabled) {
    cm["oidc.config"] = [
      "name: SSO",
      `issuer: ${sso.issuer}`,
      `clientID: ${sso.clientId}`,
      `clientSecret: $${OIDC_SECRET}:clientSecret`,
      "requestedScopes: [openid, profile, email, groups]",
    ].join("\n");
  }
  const autoscaling = prod ? { enabled: true, minReplicas: 2, maxReplicas: 5 } : { enabled: false };
  return {
    // The chart derives configs.cm.url (the OIDC redirect and every link) from global.domain
    // (templates/_helpers.tpl argo-cd.config.cm.presets); unset it is argocd.example.com.
    global: { revisionHistoryLimit: 3, domain: domain ?? PORT_FORWARD_HOST },
    configs: {
      cm,
      params: {
        // Diff with the API server's view (server-side diff) to match ServerSideApply syncs.
        "controller.diff.server.side": "true",
        "server.insecure": false,
      },
      rbac: {
        "policy.default": "role:readonly",
        "policy.csv": (sso.allowedGroups ?? []).map((g) => `g, ${g}, role:admin`).join("\n"),
        scopes: "[groups]",
      },
    },
    controller: {
      replicas: prod ? 2 : 1,
      resources: prod
        ? resources("500m", "1Gi", "2", "2Gi")
        : resources("250m", "512Mi", "1", "1Gi"),
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    server: {
      // Not exposed: reach it with `kubectl port-forward svc/argocd-server -n argocd 8080:443`, or add your own ingress.
      service: { type: "ClusterIP" },
      ingress: { enabled: false },
      autoscaling,
      resources: resources("100m", "128Mi", "500m", "512Mi"),
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    repoServer: {
      autoscaling,
      resources: resources("100m", "256Mi", "1", "1Gi"),
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    applicationSet: {
      replicas: prod ? 2 : 1,
      resources: resources("50m", "64Mi", "250m", "256Mi"),
    },
    redis: { resources: resources("50m", "64Mi", "250m", "256Mi") },
    "redis-ha": { enabled: prod },
    dex: { enabled: false },
    notifications: {
      enabled: true,
      resources: resources("50m", "64Mi", "250m", "256Mi"),
      ...(notifications ? commitStatusNotifications(env, notifications) : {}),
    },
  };
}

/** Secret the notifications controller reads `$github-privateKey` from (the chart's default name). */
export const NOTIFICATIONS_SECRET = "argocd-notifications-secret";
/** Triggers a model Application subscribes to (annotation on the ApplicationSet's template). */
export const MODEL_STATUS_TRIGGERS = [
  "mlops-on-deployed",
  "mlops-on-degraded",
  "mlops-on-sync-failed",
] as const;

/**
 * Notifications values that set the commit status mlops/<env>/<model> on the GitOps repo
 * revision Argo CD synced: success once the sync succeeded and the app is Healthy (once per
 * revision), failure when it degrades or the sync fails. Keys: argo-cd 9.5.11 values.yaml
 * `notifications.{secret,notifiers,templates,triggers}`; template and service fields:
 * notifications-engine docs/services/github.md; trigger conditions as the catalog's
 * on-deployed / on-health-degraded / on-sync-failed.
 */
export function commitStatusNotifications(
  env: ArgoCdArgs["environment"],
  app: { appId: number; installationId: number },
) {
  const status = (state: "success" | "failure", description: string) =>
    stringify({
      message: `{{.app.metadata.name}}: ${description}`,
      github: {
        repoURLPath: "{{.app.spec.source.repoURL}}",
        revisionPath: "{{.app.status.operationState.syncResult.revision}}",
        status: {
          state,
          label: commitStatusContext(env, '{{index .app.metadata.labels "mlops.dev/model"}}'),
          targetURL: "{{.context.argocdUrl}}/applications/{{.app.metadata.name}}?operation=true",
        },
      },
    });
  const trigger = (when: string, send: string, oncePer: string) =>
    stringify([{ when, oncePer, send: [send] }]);
  return {
    // The chart would create an empty secret: ours holds the App's key (ArgoCd below).
    secret: { create: false, name: NOTIFICATIONS_SECRET },
    notifiers: {
      "service.github": stringify({
        appID: app.appId,
        installationID: app.installationId,
        privateKey: "$github-privateKey",
      }),
    },
    templates: {
      "template.mlops-deployed": status("success", "synced and healthy"),
      "template.mlops-degraded": status("failure", "degraded"),
      "template.mlops-sync-failed": status("failure", "sync failed"),
    },
    triggers: {
      "trigger.mlops-on-deployed": trigger(
        "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
        "mlops-deployed",
        "app.status.operationState.syncResult.revision",
      ),
      "trigger.mlops-on-degraded": trigger(
        "app.status.health.status == 'Degraded'",
        "mlops-degraded",
        "app.status.sync.revision",
      ),
      "trigger.mlops-on-sync-failed": trigger(
        "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
        "mlops-sync-failed",
        "app.status.operationState.syncResult.revision",
      ),
    },
  };
}

/** The AppProjects, root Application and model ApplicationSet. Pure: returns validated-able models. */
export function gitopsObjects(
  ns: string,
  gitops: GitOpsSettings,
  modelsNamespace: string,
  environment: ArgoCdArgs["environment"],
) {
  const syncPolicy = {
    automated: { prune: true, selfHeal: true },
    syncOptions: ["CreateNamespace=true", "ServerSideApply=true", "PruneLast=true"],
    retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
  };
  return {
    // Argo CD creates `default` unrestricted, and any Application may name it: this spec
    // (patched onto the existing object) allows no source, no destination, no kind.
    defaultProject: new AppProject({
      metadata: { name: "default", namespace: ns },
      spec: {
        description:
          "Locked: every Application must use a platform project (ml-bootstrap, ml-models).",
        sourceRepos: [],
        destinations: [],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [],
      },
    }),
    bootstrapProject: new AppProject({
      metadata: { name: "ml-bootstrap", namespace: ns },
      spec: {
        description:
          "Root app-of-apps: may only create Argo CD Applications (not ApplicationSets, which could template any project) in the Argo CD namespace.",
        sourceRepos: [gitops.repoUrl],
        destinations: [{ server: IN_CLUSTER, namespace: ns }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
      },
    }),
    modelsProject: new AppProject({
      metadata: { name: "ml-models", namespace: ns },
      spec: {
        description:
          "Model serving workloads from the GitOps repo, confined to the models namespaces.",
        sourceRepos: [gitops.repoUrl],
        destinations: [
          { server: IN_CLUSTER, namespace: modelsNamespace },
          { server: IN_CLUSTER, namespace: `${modelsNamespace}-*` },
        ],
        clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
        namespaceResourceBlacklist: [
          { group: "", kind: "ResourceQuota" },
          { group: "", kind: "LimitRange" },
        ],
        orphanedResources: { warn: true },
      },
    }),
    root: new Application({
      metadata: {
        name: "ml-root",
        namespace: ns,
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        project: "ml-bootstrap",
        source: {
          repoURL: gitops.repoUrl,
          targetRevision: gitops.targetRevision,
          path: gitops.path,
        },
        destination: { server: IN_CLUSTER, namespace: ns },
        syncPolicy: { ...syncPolicy, syncOptions: ["ServerSideApply=true"] },
      },
    }),
    models: new ApplicationSet({
      metadata: { name: "ml-models", namespace: ns },
      spec: modelApplicationSetSpec(gitops, environment, modelsNamespace, syncPolicy),
    }),
  };
}

/**
 * One Application per model released to this environment: the git files generator lists
 * `<modelsPath>/<name>/release-<env>.yaml` (a model without a release file for the environment
 * deploys nothing there), and each Application applies the model's machine-rendered
 * `rendered/<env>/` at `gitops.modelsRevision`. Automated sync prunes and self-heals.
 */
export function modelApplicationSetSpec(
  gitops: Pick<
    PlatformConfig["gitops"],
    "repoUrl" | "modelsPath" | "modelsRevision" | "notifications"
  >,
  environment: string,
  modelsNamespace: string,
  syncPolicy: object,
) {
  return {
    goTemplate: true,
    goTemplateOptions: ["missingkey=error"],
    generators: [
      {
        git: {
          repoURL: gitops.repoUrl,
          revision: gitops.modelsRevision,
          files: [{ path: `${gitops.modelsPath}/*/${releaseFileName(environment)}` }],
        },
      },
    ],
    template: {
      metadata: {
        // Files generator: .path.path is the model's directory, basenameNormalized a valid name.
        name: "model-{{.path.basenameNormalized}}",
        // Each model Application reports its syncs as commit statuses (commitStatusNotifications).
        ...(gitops.notifications
          ? {
              annotations: Object.fromEntries(
                MODEL_STATUS_TRIGGERS.map((t) => [
                  `notifications.argoproj.io/subscribe.${t}.github`,
                  "",
                ]),
              ),
            }
          : {}),
        labels: {
          "mlops.dev/model": "{{.path.basenameNormalized}}",
          "mlops.dev/environment": environment,
        },
      },
      spec: {
        project: "ml-models",
        source: {
          repoURL: gitops.repoUrl,
          targetRevision: gitops.modelsRevision,
          path: `{{.path.path}}/${renderedDir(environment)}`,
        },
        destination: { server: IN_CLUSTER, namespace: modelsNamespace },
        syncPolicy,
      },
    },
  };
}

/** The args that come from config (everything but namespaces and releases); what validation reads. */
export type ArgoCdSettings = Pick<
  ArgoCdArgs,
  "environment" | "gitops" | "sso" | "oidcClientSecret" | "repoSecret" | "notificationsKey"
>;

export function argoCdProblems(args: ArgoCdSettings): ArgProblem[] {
  const problems: ArgProblem[] = [];
  const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (args.sso.enabled) {
    if (!args.sso.issuer)
      add("sso.issuer", "is required when SSO is enabled: your OIDC issuer URL.");
    if (!args.sso.clientId)
      add("sso.clientId", "is required when SSO is enabled: the OIDC client id.");
    if (!args.oidcClientSecret)
      add(
        "oidcClientSecret",
        "is required when SSO is enabled: `pulumi config set --secret argocdOidcClientSecret <secret>`.",
      );
    if (!args.gitops.domain)
      add(
        "gitops.domain",
        "is required when SSO is enabled: the host name Argo CD is reached at (its OIDC redirect is https://<domain>/auth/callback).",
      );
  }
  if (args.gitops.notifications && !args.notificationsKey)
    add(
      "notificationsKey",
      "is required with gitops.notifications: `pulumi config set --secret gitopsNotificationsPrivateKey < app.pem` (the GitHub App's private key).",
    );
  if (args.notificationsKey && !args.gitops.notifications)
    add(
      "notificationsKey",
      "is set, but gitops.notifications is not, so it would be unused: set gitops.notifications.appId and installationId.",
    );
  if (args.gitops.credentials && !args.repoSecret)
    add(
      "repoSecret",
      `is required for ${args.gitops.credentials.type} repository credentials: \`pulumi config set --secret gitopsRepoSecret <${REPO_SECRET_KIND[args.gitops.credentials.type]}>\`.`,
    );
  if (!args.gitops.credentials && args.repoSecret)
    add(
      "gitops.credentials",
      "is not set, so gitopsRepoSecret would be unused: set gitops.credentials.type (https, ssh or githubApp).",
    );
  if (args.environment !== "dev" && !PINNED_REVISION_RE.test(args.gitops.targetRevision))
    add(
      "gitops.targetRevision",
      `"${args.gitops.targetRevision}" floats (a branch or HEAD), which ${args.environment} refuses: pin a release tag such as v1.4.2 or a full commit SHA.`,
    );
  return problems;
}

/** What `gitopsRepoSecret` holds for each credentials type. */
const REPO_SECRET_KIND = {
  https: "a token with read access",
  ssh: "an SSH private key",
  githubApp: "the GitHub App's private key (PEM)",
} as const;

/**
 * Argo CD's declarative repository Secret data (label argocd.argoproj.io/secret-type:
 * repository; keys from the operator manual's declarative setup: username/password,
 * sshPrivateKey, githubAppID/githubAppInstallationID/githubAppPrivateKey). Pure.
 */
export function repositorySecretData(
  repoUrl: string,
  credentials: NonNullable<GitOpsSettings["credentials"]>,
  secret: pulumi.Input<string>,
): Record<string, pulumi.Input<string>> {
  const base = { type: "git", url: repoUrl };
  switch (credentials.type) {
    case "https":
      return { ...base, username: credentials.username, password: secret };
    case "ssh":
      return { ...base, sshPrivateKey: secret };
    case "githubApp":
      return {
        ...base,
        githubAppID: String(credentials.appId),
        githubAppInstallationID: String(credentials.installationId),
        githubAppPrivateKey: secret,
      };
  }
}

/**
 * Argo CD at a pinned chart version with per-environment values, plus the
 * GitOps wiring of the ml-deployments flow: two AppProjects (never `default`),
 * the root Application, and an ApplicationSet with one Application per model directory.
 */
export class ArgoCd extends pulumi.ComponentResource {
  public readonly release: k8s.Release;
  public readonly namespaceName: string;

  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:gitops:ArgoCd", name, {}, opts);
    const objects = gitopsObjects(
      args.namespaceName,
      args.gitops,
      args.modelsNamespace,
      args.environment,
    );
    validateArgs("mlops:gitops:ArgoCd", name, [
      ...argoCdProblems(args),
      ...schemaProblems(objects),
    ]);

    const deps: pulumi.Resource[] = [args.monitoringRelease];
    if (args.gitops.credentials && args.repoSecret) {
      deps.push(
        new k8s.core.v1.Secret(
          `${name}-repo`,
          {
            metadata: {
              name: REPO_SECRET,
              namespace: args.namespace,
              labels: { "argocd.argoproj.io/secret-type": "repository" },
            },
            type: "Opaque",
            stringData: pulumi
              .secret(args.repoSecret)
              .apply((secret) =>
                repositorySecretData(args.gitops.repoUrl, args.gitops.credentials!, secret),
              ) as pulumi.Output<Record<string, string>>,
          },
          { parent: this },
        ),
      );
    }
    /** A Secret Argo CD reads one key of (label part-of: argocd, as its own Secrets carry). */
    const argoSecret = (id: string, secretName: string, key: string, value: pulumi.Input<string>) =>
      new k8s.core.v1.Secret(
        `${name}-${id}`,
        {
          metadata: {
            name: secretName,
            namespace: args.namespace,
            labels: { "app.kubernetes.io/part-of": "argocd" },
          },
          type: "Opaque",
          stringData: { [key]: pulumi.secret(value) },
        },
        { parent: this },
      );
    if (args.gitops.notifications && args.notificationsKey)
      deps.push(
        argoSecret(
          "notifications",
          NOTIFICATIONS_SECRET,
          "github-privateKey",
          args.notificationsKey,
        ),
      );
    if (args.sso.enabled && args.oidcClientSecret)
      deps.push(argoSecret("oidc", OIDC_SECRET, "clientSecret", args.oidcClientSecret));

    this.release = pinnedRelease(
      `${name}-release`,
      CHARTS.argoCd,
      {
        releaseName: "argocd",
        namespace: args.namespace,
        values: argoCdValues(
          args.environment,
          args.sso,
          args.gitops.domain,
          args.gitops.notifications,
        ),
      },
      { parent: this, dependsOn: deps },
    );

    const after = { parent: this, dependsOn: [this.release] };
    // `default` exists once Argo CD runs: patch it (pulumi-kubernetes >= 4.29 refuses to
    // create over an existing object); force takes the fields argocd-server set.
    const locked = objects.defaultProject.toJSON() as {
      apiVersion: string;
      kind: string;
      spec: object;
    };
    new k8s.apiextensions.CustomResourcePatch(
      `${name}-project-default`,
      {
        apiVersion: locked.apiVersion,
        kind: locked.kind,
        metadata: {
          name: "default",
          namespace: args.namespace,
          annotations: { "pulumi.com/patchForce": "true" },
        },
        spec: locked.spec,
      } as k8s.apiextensions.CustomResourcePatchArgs,
      after,
    );
    const bootstrap = customResource(
      `${name}-project-bootstrap`,
      objects.bootstrapProject,
      undefined,
      after,
    );
    const models = customResource(
      `${name}-project-models`,
      objects.modelsProject,
      undefined,
      after,
    );
    customResource(`${name}-root-app`, objects.root, undefined, {
      parent: this,
      dependsOn: [this.release, bootstrap],
    });
    customResource(`${name}-models-appset`, objects.models, undefined, {
      parent: this,
      dependsOn: [this.release, models],
    });

    this.namespaceName = args.namespaceName;
    this.registerOutputs({ namespace: this.namespaceName });
  }
}

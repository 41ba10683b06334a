import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { ApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { customResource, schemaProblems } from "./crd";
import { CHARTS, pinnedRelease } from "../lib/helm";
import { validateArgs, type ArgProblem } from "../lib/validation";

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

export interface GitOpsSettings {
  repoUrl: string;
  /** Directory of the root app-of-apps. */
  path: string;
  /** Directory whose subdirectories each become one model Application. */
  modelsPath: string;
  targetRevision: string;
}

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
  /** Namespace model Applications deploy into. */
  modelsNamespace: string;
  /** Release that brings the ServiceMonitor CRD (Argo CD's metrics monitors). */
  monitoringRelease: pulumi.Resource;
}

/** Chart values per environment. Pure: HA only in prod, server never exposed, annotation tracking, SSO optional. */
export function argoCdValues(env: ArgoCdArgs["environment"], sso: SsoSettings) {
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
    global: { revisionHistoryLimit: 3 },
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
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    server: {
      // Not exposed: reach it with `kubectl port-forward svc/argocd-server -n argocd 8080:443`, or add your own ingress.
      service: { type: "ClusterIP" },
      ingress: { enabled: false },
      autoscaling,
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    repoServer: { autoscaling, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
    applicationSet: { replicas: prod ? 2 : 1 },
    "redis-ha": { enabled: prod },
    dex: { enabled: false },
    notifications: { enabled: true },
  };
}

/** The AppProjects, root Application and model ApplicationSet. Pure: returns validated-able models. */
export function gitopsObjects(ns: string, gitops: GitOpsSettings, modelsNamespace: string) {
  const syncPolicy = {
    automated: { prune: true, selfHeal: true },
    syncOptions: ["CreateNamespace=true", "ServerSideApply=true", "PruneLast=true"],
    retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
  };
  return {
    bootstrapProject: new AppProject({
      metadata: { name: "ml-bootstrap", namespace: ns },
      spec: {
        description:
          "Root app-of-apps: may only create Argo CD Applications in the Argo CD namespace.",
        sourceRepos: [gitops.repoUrl],
        destinations: [{ server: IN_CLUSTER, namespace: ns }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [
          { group: "argoproj.io", kind: "Application" },
          { group: "argoproj.io", kind: "ApplicationSet" },
        ],
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
      spec: {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [
          {
            git: {
              repoURL: gitops.repoUrl,
              revision: gitops.targetRevision,
              directories: [{ path: `${gitops.modelsPath}/*` }],
            },
          },
        ],
        template: {
          metadata: {
            name: "model-{{.path.basename}}",
            labels: { "mlops.dev/model": "{{.path.basename}}" },
          },
          spec: {
            project: "ml-models",
            source: {
              repoURL: gitops.repoUrl,
              targetRevision: gitops.targetRevision,
              path: "{{.path.path}}",
            },
            destination: { server: IN_CLUSTER, namespace: modelsNamespace },
            syncPolicy,
          },
        },
      },
    }),
  };
}

export function argoCdProblems(args: ArgoCdArgs): ArgProblem[] {
  const problems: ArgProblem[] = [];
  if (args.sso.enabled && (!args.sso.issuer || !args.sso.clientId || !args.oidcClientSecret)) {
    problems.push({
      propertyPath: "sso",
      reason: "enabled SSO needs issuer, clientId and oidcClientSecret.",
    });
  }
  return problems;
}

/**
 * Argo CD at a pinned chart version with per-environment values, plus the
 * GitOps wiring of the ml-deployments flow: two AppProjects (never `default`),
 * the root Application, and an ApplicationSet with one Application per model directory.
 */
export class ArgoCd extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly namespaceName: string;

  constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:gitops:ArgoCd", name, {}, opts);
    const objects = gitopsObjects(args.namespaceName, args.gitops, args.modelsNamespace);
    validateArgs("mlops:gitops:ArgoCd", name, [
      ...argoCdProblems(args),
      ...schemaProblems(objects),
    ]);

    const deps: pulumi.Resource[] = [args.monitoringRelease];
    if (args.sso.enabled && args.oidcClientSecret) {
      deps.push(
        new k8s.core.v1.Secret(
          `${name}-oidc`,
          {
            metadata: {
              name: OIDC_SECRET,
              namespace: args.namespace,
              labels: { "app.kubernetes.io/part-of": "argocd" },
            },
            type: "Opaque",
            stringData: { clientSecret: pulumi.secret(args.oidcClientSecret) },
          },
          { parent: this },
        ),
      );
    }

    this.release = pinnedRelease(
      `${name}-release`,
      CHARTS.argoCd,
      {
        releaseName: "argocd",
        namespace: args.namespace,
        values: argoCdValues(args.environment, args.sso),
      },
      { parent: this, dependsOn: deps },
    );

    const after = { parent: this, dependsOn: [this.release] };
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

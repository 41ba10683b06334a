import * as pulumi from "@pulumi/pulumi";
import { PlatformNamespaces } from "./namespaces";
import {
  MLFLOW_SERVICE_ACCOUNT,
  type ClusterOutputs,
  type TrackingStoreOutputs,
} from "../contracts";
import { ArgoRollouts, type CanaryThresholds } from "./argoRollouts";
import { ArgoCd, type GitOpsSettings, type SsoSettings } from "./argoCd";
import { GpuAddons } from "./gpuAddons";
import { Monitoring } from "./monitoring";
import { MlflowServer } from "./mlflowServer";

export interface ClusterLayerArgs {
  environment: "dev" | "staging" | "prod";
  /** The cloud layer's cluster contract; its provider targets every object here. */
  cluster: ClusterOutputs;
  /** The cloud layer's tracking-store contract. */
  tracking: TrackingStoreOutputs;
  mlflow: {
    image: string;
    replicas: number;
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  };
  gitops: GitOpsSettings & { sso: SsoSettings };
  /** OIDC client secret for Argo CD SSO (a secret). */
  oidcClientSecret?: pulumi.Input<string>;
  canary: CanaryThresholds;
}

/**
 * Everything inside the cluster, cloud-neutral: namespaces, monitoring, GPU
 * add-ons where the cloud needs them, the MLflow server, Argo CD with the GitOps
 * wiring, Argo Rollouts with canary analysis. It never asks which cloud it is on.
 */
export class ClusterLayer extends pulumi.ComponentResource {
  public readonly mlflowUrl: pulumi.Output<string>;
  public readonly argocdNamespace: string;

  constructor(name: string, args: ClusterLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cluster:ClusterLayer", name, {}, { ...opts, providers: [args.cluster.provider] });
    const env = args.environment;

    const ns = new PlatformNamespaces(`${name}-ns`, { environment: env }, { parent: this });

    const monitoring = new Monitoring(
      `${name}-monitoring`,
      {
        namespace: ns.name("monitoring"),
        namespaceName: "monitoring",
        environment: env,
        storageClass: args.cluster.storageClass,
        gpuTaintKey: args.cluster.gpuTaint.key,
      },
      { parent: this },
    );

    new GpuAddons(
      `${name}-gpu`,
      {
        install: args.cluster.needsGpuDevicePlugin,
        namespace: "kube-system",
        gpuTaint: args.cluster.gpuTaint,
        monitoringRelease: monitoring.release,
      },
      { parent: this },
    );

    const mlflow = new MlflowServer(
      `${name}-mlflow`,
      {
        namespace: ns.name("mlflow"),
        serviceAccountName: MLFLOW_SERVICE_ACCOUNT,
        store: args.tracking,
        ...args.mlflow,
        clientNamespaces: ["models"],
        monitoringNamespace: "monitoring",
        monitoringRelease: monitoring.release,
        labels: { "app.kubernetes.io/part-of": "mlops-platform" },
      },
      { parent: this },
    );

    const argocd = new ArgoCd(
      `${name}-argocd`,
      {
        namespace: ns.name("argocd"),
        namespaceName: "argocd",
        environment: env,
        gitops: args.gitops,
        sso: args.gitops.sso,
        oidcClientSecret: args.oidcClientSecret,
        modelsNamespace: "models",
        monitoringRelease: monitoring.release,
      },
      { parent: this },
    );

    new ArgoRollouts(
      `${name}-rollouts`,
      {
        namespace: ns.name("argo-rollouts"),
        environment: env,
        prometheusUrl: monitoring.prometheusUrl,
        thresholds: args.canary,
        monitoringRelease: monitoring.release,
      },
      { parent: this },
    );

    this.mlflowUrl = mlflow.url;
    this.argocdNamespace = argocd.namespaceName;
    this.registerOutputs({ mlflowUrl: this.mlflowUrl, argocdNamespace: this.argocdNamespace });
  }
}

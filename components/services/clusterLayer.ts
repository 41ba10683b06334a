import * as pulumi from "@pulumi/pulumi";
import {
  MLFLOW_NAMESPACE,
  MLFLOW_SERVICE_ACCOUNT,
  type ClusterOutputs,
  type TrackingStoreOutputs,
} from "../contracts";
import type { CanaryThresholds, PlatformConfig } from "../model";
import { ArgoCd } from "./argoCd";
import { ArgoRollouts } from "./argoRollouts";
import { GpuAddons } from "./gpuAddons";
import { MODELS_NAMESPACE, MONITORING_NAMESPACE } from "./metrics";
import { MlflowServer } from "./mlflowServer";
import { Monitoring, type AlertingSecrets } from "./monitoring";
import { PlatformNamespaces } from "./namespaces";

export interface ClusterLayerArgs {
  environment: PlatformConfig["environment"];
  /** The cloud layer's cluster contract; its provider targets every object here. */
  cluster: ClusterOutputs;
  /** The cloud layer's tracking-store contract. */
  tracking: TrackingStoreOutputs;
  mlflow: PlatformConfig["mlflow"];
  gitops: PlatformConfig["gitops"];
  alerting: PlatformConfig["alerting"];
  canary: CanaryThresholds;
  /** Secret config values; each goes only into a Kubernetes Secret. */
  secrets: {
    oidcClientSecret?: pulumi.Input<string>;
    gitopsRepoSecret?: pulumi.Input<string>;
    gitopsNotificationsPrivateKey?: pulumi.Input<string>;
    alerting: AlertingSecrets;
  };
}

/**
 * Everything inside the cluster, cloud-neutral: namespaces, monitoring, GPU
 * add-ons, the MLflow server, Argo CD with the GitOps wiring, Argo Rollouts
 * with canary analysis. It never asks which cloud it is on: what differs comes
 * in through the cluster contract.
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
        namespaceName: MONITORING_NAMESPACE,
        environment: env,
        storageClass: args.cluster.storageClass,
        hasKubeProxy: args.cluster.hasKubeProxy,
        alerting: args.alerting,
        alertingSecrets: args.secrets.alerting,
      },
      { parent: this },
    );

    new GpuAddons(
      `${name}-gpu`,
      {
        devicePlugin: args.cluster.needsGpuDevicePlugin,
        driverHostPath: args.cluster.gpuDriverHostPath,
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
        namespaceName: MLFLOW_NAMESPACE,
        serviceAccountName: MLFLOW_SERVICE_ACCOUNT,
        store: args.tracking,
        ...args.mlflow,
        monitoringNamespace: MONITORING_NAMESPACE,
        monitoringRelease: monitoring.release,
        // The models' PreSync Job checks the registry (scripts/models/render.ts).
        credentialNamespaces: [ns.name("models")],
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
        oidcClientSecret: args.secrets.oidcClientSecret,
        repoSecret: args.secrets.gitopsRepoSecret,
        notificationsKey: args.secrets.gitopsNotificationsPrivateKey,
        modelsNamespace: MODELS_NAMESPACE,
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
        goldenImage: { image: args.mlflow.image, runAsUser: args.mlflow.uid },
      },
      { parent: this },
    );

    this.mlflowUrl = mlflow.url;
    this.argocdNamespace = argocd.namespaceName;
    this.registerOutputs({ mlflowUrl: this.mlflowUrl, argocdNamespace: this.argocdNamespace });
  }
}

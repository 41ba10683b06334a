import * as pulumi from "@pulumi/pulumi";
import { awsCloudLayer } from "./aws/cloudLayer";
import type { CloudLayer } from "./contracts";
import { gcpCloudLayer } from "./gcp/cloudLayer";
import type { PlatformConfig } from "./model";
import { ClusterLayer } from "./services/clusterLayer";

/** One cloud layer per cloud; each returns the same contract. */
const CLOUD_LAYERS: Record<
  PlatformConfig["cloud"],
  (name: string, c: PlatformConfig, parent: pulumi.Resource) => CloudLayer
> = { gcp: gcpCloudLayer, aws: awsCloudLayer };

/** A secret config value as a Pulumi secret, or nothing when it is not set. */
const secret = (v: string | undefined) => (v === undefined ? undefined : pulumi.secret(v));

export interface MlopsPlatformArgs {
  /** The validated stack config (stacks/config.ts). */
  config: PlatformConfig;
}

/**
 * The whole platform for one environment. Picks the cloud implementation from
 * `config.cloud` and wires the cloud layer (network -> GPU cluster -> MLflow
 * tracking store; the database waits for the network only, never for the
 * cluster) to the cloud-neutral cluster layer (MLflow server, Argo CD, Argo
 * Rollouts, Prometheus, GPU add-ons).
 */
export class MlopsPlatform extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly artifactBucket: pulumi.Output<string>;
  public readonly databaseConnectionName: pulumi.Output<string>;
  public readonly mlflowUrl: pulumi.Output<string>;
  public readonly argocdNamespace: string;
  /** CodeBuild project of the in-VPC CI runner (AWS, `cluster.ciRunner`); absent otherwise. */
  public readonly ciRunnerProject?: pulumi.Output<string>;
  public readonly cloud: CloudLayer;

  constructor(name: string, args: MlopsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:index:MlopsPlatform", name, {}, opts);
    const c = args.config;

    this.cloud = CLOUD_LAYERS[c.cloud](name, c, this);

    const services = new ClusterLayer(
      `${name}-services`,
      {
        environment: c.environment,
        cluster: this.cloud.cluster,
        tracking: this.cloud.tracking,
        mlflow: c.mlflow,
        gitops: c.gitops,
        alerting: c.alerting,
        canary: c.canary,
        secrets: {
          oidcClientSecret: secret(c.argocdOidcClientSecret),
          gitopsRepoSecret: secret(c.gitopsRepoSecret),
          gitopsNotificationsPrivateKey: secret(c.gitopsNotificationsPrivateKey),
          alerting: {
            slackWebhookUrl: secret(c.alertingSlackWebhookUrl),
            pagerdutyRoutingKey: secret(c.alertingPagerdutyRoutingKey),
            webhookToken: secret(c.alertingWebhookToken),
            emailPassword: secret(c.alertingEmailPassword),
          },
        },
      },
      { parent: this },
    );

    this.mlflowUrl = services.mlflowUrl;
    this.argocdNamespace = services.argocdNamespace;
    this.clusterName = this.cloud.cluster.name;
    this.kubeconfig = this.cloud.cluster.kubeconfig;
    this.artifactBucket = this.cloud.tracking.bucketName;
    this.databaseConnectionName = this.cloud.tracking.connectionName;
    this.ciRunnerProject = this.cloud.ciRunner;
    this.registerOutputs({
      ciRunnerProject: this.ciRunnerProject,
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      artifactBucket: this.artifactBucket,
      databaseConnectionName: this.databaseConnectionName,
      mlflowUrl: this.mlflowUrl,
      argocdNamespace: this.argocdNamespace,
    });
  }
}

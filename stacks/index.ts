/**
 * The Pulumi program (Pulumi.yaml `main`). Validates the stack's config first:
 * when any key is wrong, it throws one error listing them all and registers nothing.
 */
import { MlopsPlatform } from "../components/platform";
import { loadStackConfig } from "./config";

const config = loadStackConfig();
const platform = new MlopsPlatform(config.namePrefix, { config });

export const cloud = config.cloud;
export const environment = config.environment;
export const clusterName = platform.clusterName;
/** Secret: `pulumi stack output kubeconfig --show-secrets > kubeconfig.json`. */
export const kubeconfig = platform.kubeconfig;
export const artifactBucket = platform.artifactBucket;
export const databaseConnectionName = platform.databaseConnectionName;
/** In-cluster MLflow tracking URL (reach it with `kubectl port-forward -n mlflow svc/mlflow 5000`). */
export const mlflowUrl = platform.mlflowUrl;
export const argocdNamespace = platform.argocdNamespace;
/** AWS with `cluster.ciRunner`: the CodeBuild project name for `PULUMI_CODEBUILD_RUNNERS` (README, CI). */
export const ciRunnerProject = platform.ciRunnerProject;

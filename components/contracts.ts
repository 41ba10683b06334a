/**
 * The contracts between the cloud layer (GKE/EKS, Cloud SQL/RDS, GCS/S3) and
 * the cloud-neutral cluster layer. Both clouds return exactly these shapes, so
 * nothing above this line asks which cloud it is on.
 */
import type * as k8s from "./lib/k8s";
import type * as pulumi from "@pulumi/pulumi";

// The GPU vocabulary nodes carry is defined in model.ts (pure, so the policy pack can
// import it without the Kubernetes typings below) and is part of this seam.
export { GPU_KIND_LABEL, GPU_RESOURCE, GPU_TAINT, POOL_LABEL } from "./model";

/** A Kubernetes taint as the cluster layer needs it for tolerations. */
export interface NodeTaint {
  key: string;
  value: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** What a GPU cluster gives the cluster layer. */
export interface ClusterOutputs {
  /** Cluster name as the cloud knows it. */
  name: pulumi.Output<string>;
  /** Kubeconfig for the cluster; a secret Output. */
  kubeconfig: pulumi.Output<string>;
  /** Provider that targets this cluster; every in-cluster resource uses it. */
  provider: k8s.Provider;
  /** Taint on every GPU node (workloads that want GPUs tolerate it). */
  gpuTaint: NodeTaint;
  /** Label key whose value names the GPU pool a node belongs to. */
  gpuPoolLabel: string;
  /** Default StorageClass name for PVCs (e.g. `standard-rwo`, `gp3`). */
  storageClass: string;
  /** Whether the cluster layer must install the NVIDIA device plugin (EKS) or the cloud does it (GKE). */
  needsGpuDevicePlugin: boolean;
  /**
   * Where GPU nodes keep the NVIDIA driver when no container toolkit injects it into
   * containers (GKE installs it under /home/kubernetes/bin/nvidia); the DCGM exporter
   * mounts it. Undefined where the toolkit does (EKS AL2023 NVIDIA AMI).
   */
  gpuDriverHostPath?: string;
  /** Whether kube-proxy runs (EKS add-on) or the dataplane replaces it (GKE Dataplane V2). */
  hasKubeProxy: boolean;
}

/** What the MLflow tracking store gives the cluster layer. */
export interface TrackingStoreOutputs {
  /** PostgreSQL host reachable from the cluster (private IP / endpoint). */
  dbHost: pulumi.Output<string>;
  dbPort: number;
  dbName: pulumi.Output<string>;
  dbUser: pulumi.Output<string>;
  /** Database password; a secret Output. Goes only into a Kubernetes Secret. */
  dbPassword: pulumi.Output<string>;
  /** MLflow `--artifacts-destination`, e.g. `gs://bucket/mlflow` or `s3://bucket/mlflow`. */
  artifactRoot: pulumi.Output<string>;
  /** Bucket name (exported). */
  bucketName: pulumi.Output<string>;
  /** Identifier of the database instance users need to connect (Cloud SQL connection name / RDS endpoint). */
  connectionName: pulumi.Output<string>;
  /** Annotations that bind the MLflow Kubernetes ServiceAccount to a cloud identity with access to the bucket only. */
  serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
}

/** The cloud layer's result, the same shape on every cloud. */
export interface CloudLayer {
  cluster: ClusterOutputs;
  tracking: TrackingStoreOutputs;
  /** CodeBuild project hosting the in-VPC GitHub Actions runner, when the stack has one (AWS). */
  ciRunner?: pulumi.Output<string>;
}

/** Where the MLflow Kubernetes ServiceAccount lives; the cloud identity is bound to exactly this. */
export const MLFLOW_NAMESPACE = "mlflow";
export const MLFLOW_SERVICE_ACCOUNT = "mlflow";
/** Secret with MLflow credentials (keys username, password) in client namespaces, when auth is on. */
export const MLFLOW_CLIENT_SECRET = "mlflow-client";

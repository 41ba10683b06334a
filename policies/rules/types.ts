/**
 * The Pulumi resource type tokens the rules inspect, named once. A rule lists
 * the tokens it reads in `types` (the coverage guard and the docs read them).
 */

// GCP
export const GKE_CLUSTER = "gcp:container/cluster:Cluster";
export const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
export const CLOUD_SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
export const GCS_BUCKET = "gcp:storage/bucket:Bucket";
export const GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork";
export const GCP_NETWORK = "gcp:compute/network:Network";
/** Project-level IAM grants (member or members). */
export const GCP_PROJECT_IAM = [
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
];
export const GCS_BUCKET_IAM = [
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
];

// AWS
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const EKS_ADDON = "aws:eks/addon:Addon";
export const EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const RDS_INSTANCE = "aws:rds/instance:Instance";
/** Aurora: the platform runs RDS instances, but a backups rule must read clusters too. */
export const RDS_CLUSTER = "aws:rds/cluster:Cluster";
export const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
/** Aurora's cluster-level parameters: the same PostgreSQL settings, another resource. */
export const RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
export const S3_BUCKET = "aws:s3/bucket:Bucket";
export const S3_LOGGING = "aws:s3/bucketLogging:BucketLogging";
export const S3_BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl";
export const S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
export const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const S3_OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
export const S3_VERSIONING = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
export const S3_SSE = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const S3_LIFECYCLE = [
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
export const S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
export const KMS_KEY = "aws:kms/key:Key";
export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
export const CODEBUILD_PROJECT = "aws:codebuild/project:Project";
export const IAM_ROLE = "aws:iam/role:Role";
/** Resources carrying a policy document in `policy`. */
export const IAM_POLICY_DOCS = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
/** Resources attaching a managed policy by `policyArn`. */
export const IAM_POLICY_ATTACHMENTS = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
export const VPC = "aws:ec2/vpc:Vpc";
export const VPC_FLOW_LOG = "aws:ec2/flowLog:FlowLog";
export const SUBNET = "aws:ec2/subnet:Subnet";
export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
export const EIP = "aws:ec2/eip:Eip";
export const ROUTE = "aws:ec2/route:Route";
export const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
export const SECURITY_GROUP_RULES = [
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

// Kubernetes
/** Every kind that carries a pod template (a bare Pod carries the spec itself). */
export const WORKLOAD_TYPES = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
  "kubernetes:batch/v1:CronJob",
  "kubernetes:core/v1:Pod",
  "kubernetes:argoproj.io/v1alpha1:Rollout",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:core/v1:ReplicationController",
  // Removed in Kubernetes 1.25 (k8s-no-removed-apis refuses it) but still a Pulumi type: its pods
  // are judged all the same.
  "kubernetes:batch/v1beta1:CronJob",
];
/** Kinds that run long-lived servers (probes, replicas and PDBs apply). */
export const SERVER_TYPES = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:argoproj.io/v1alpha1:Rollout",
];
export const K8S_SERVICE = "kubernetes:core/v1:Service";
export const K8S_NAMESPACE = "kubernetes:core/v1:Namespace";
export const K8S_PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const K8S_HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
export const K8S_INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const K8S_NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const K8S_SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

// Helm and Argo
export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const HELM_CHART = "kubernetes:helm.sh/v4:Chart";
export const ARGO_APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";
export const ARGO_APPLICATIONSET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet";
export const ARGO_ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
export const ARGO_APPPROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
export const RBAC_BINDINGS = [
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
];
export const RBAC_ROLES = [
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
];

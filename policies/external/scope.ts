/**
 * What "in our scope" means when the pack is measured against checkov,
 * trivy-checks and kube-linter: the cloud resource types the program creates
 * (with the Terraform type their Pulumi bridge wraps, the name checkov's checks
 * use), the trivy-checks services those resources belong to, and every
 * Kubernetes check (the program and the models CLI render Kubernetes objects).
 * scripts/external-checks.ts records the upstream checks in this scope;
 * test/policies/external.test.ts holds the pack to them.
 */

/** The tools the pack is measured against, and where their checks live. */
export const TOOL_REPOSITORIES = {
  checkov: "bridgecrewio/checkov",
  trivy: "aquasecurity/trivy-checks",
  "kube-linter": "stackrox/kube-linter",
  "compliance-policies": "pulumi/compliance-policies",
  polaris: "FairwindsOps/polaris",
  kubescape: "kubescape/regolibrary",
} as const;
export type Tool = keyof typeof TOOL_REPOSITORIES;

export interface ExternalCheck {
  /**
   * checkov `CKV_*` / `CKV2_*`, trivy `AVD-*`, `kube-linter:<name>`,
   * `compliance-policies:<policy name>`, `polaris:<check>`, `kubescape:<control id>`.
   */
  id: string;
  tool: Tool;
  title: string;
  /**
   * Terraform types (checkov), the trivy service, "kubernetes", or the kinds kubescape's rules
   * match (Kubernetes kinds, or the data kubescape gathers: ClusterDescribe, KubeletInfo...).
   */
  targets: string[];
  /** The check's file in its repository. */
  path: string;
  /** The tool's own good and bad examples (trivy's docs examples, kube-linter's test objects). */
  examples?: Partial<Record<ExampleLanguage, { good: string[]; bad: string[] }>>;
  /**
   * checkov's test fixture: the Terraform files of the check's test directory (path under it ->
   * text) and the resource addresses (type.name) its own unit test expects to pass and to fail.
   */
  fixture?: { files: Record<string, string>; pass: string[]; fail: string[] };
}

/**
 * Terraform HCL, one Kubernetes manifest (YAML), or one Pulumi resource as JSON
 * (`{ type, props }`, compliance-policies' test inputs) per example.
 */
export type ExampleLanguage = "terraform" | "kubernetes" | "pulumi";

/** Pulumi type -> the Terraform resource the bridged provider wraps. */
export const TERRAFORM_TYPES: Record<string, string> = {
  "aws:autoscaling/tag:Tag": "aws_autoscaling_group_tag",
  "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
  "aws:codebuild/project:Project": "aws_codebuild_project",
  "aws:codebuild/webhook:Webhook": "aws_codebuild_webhook",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
  "aws:ec2/eip:Eip": "aws_eip",
  "aws:ec2/flowLog:FlowLog": "aws_flow_log",
  "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
  "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
  "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
  "aws:ec2/routeTable:RouteTable": "aws_route_table",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
  "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
  "aws:ec2/subnet:Subnet": "aws_subnet",
  "aws:ec2/vpc:Vpc": "aws_vpc",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
  "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
  "aws:eks/addon:Addon": "aws_eks_addon",
  "aws:eks/cluster:Cluster": "aws_eks_cluster",
  "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
  "aws:iam/role:Role": "aws_iam_role",
  "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
  "aws:kms/alias:Alias": "aws_kms_alias",
  "aws:kms/key:Key": "aws_kms_key",
  "aws:rds/instance:Instance": "aws_db_instance",
  "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
  "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
  "aws:s3/bucket:Bucket": "aws_s3_bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
    "aws_s3_bucket_lifecycle_configuration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
  "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
    "aws_s3_bucket_server_side_encryption_configuration",
  "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    "aws_vpc_security_group_ingress_rule",
  "gcp:compute/globalAddress:GlobalAddress": "google_compute_global_address",
  "gcp:compute/network:Network": "google_compute_network",
  "gcp:compute/router:Router": "google_compute_router",
  "gcp:compute/routerNat:RouterNat": "google_compute_router_nat",
  "gcp:compute/subnetwork:Subnetwork": "google_compute_subnetwork",
  "gcp:container/cluster:Cluster": "google_container_cluster",
  "gcp:container/nodePool:NodePool": "google_container_node_pool",
  "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
  "gcp:projects/service:Service": "google_project_service",
  "gcp:serviceaccount/account:Account": "google_service_account",
  "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
  "gcp:servicenetworking/connection:Connection": "google_service_networking_connection",
  "gcp:sql/database:Database": "google_sql_database",
  "gcp:sql/databaseInstance:DatabaseInstance": "google_sql_database_instance",
  "gcp:sql/user:User": "google_sql_user",
  "gcp:storage/bucket:Bucket": "google_storage_bucket",
  "gcp:storage/bucketIAMMember:BucketIAMMember": "google_storage_bucket_iam_member",
};

/** trivy-checks services (checks/cloud/<provider>/<service>) holding the types above. */
export const TRIVY_SERVICES = [
  "google/gke",
  "google/sql",
  "google/storage",
  "google/iam",
  "google/compute",
  "aws/eks",
  "aws/rds",
  "aws/s3",
  "aws/iam",
  "aws/ec2",
  "aws/kms",
  "aws/cloudwatch",
  "aws/codebuild",
];

/**
 * Upstream checks about things this program does not deploy or configure, matched on the
 * check's file path, each with the reason. They are listed as out of scope, not as gaps.
 */
export const OUT_OF_SCOPE: {
  tool: ExternalCheck["tool"];
  /** Matched on the check's file path, listed by id, or matched on every one of its targets. */
  path?: RegExp;
  ids?: string[];
  targets?: RegExp;
  reason: string;
}[] = [
  {
    tool: "compliance-policies",
    path: /\/\w+(List|Patch)\/\w+\.ts$/,
    reason:
      "List and Patch resources: the platform declares whole objects (a Patch resource changes an object someone else owns)",
  },
  {
    tool: "checkov",
    path: /k8s\/(ApiServer|Kubelet|Kublet|Etcd|ControllerManager|Scheduler|PeerClient|KubeControllerManager|RotateKubeletServerCertificate)/,
    reason:
      "control-plane or kubelet flag: GKE and EKS run the control plane and set the kubelet's flags",
  },
  {
    tool: "trivy",
    path: /kubernetes\/(apiserver|etcd|kubelet|controllermanager|scheduler|cni|kube_proxy|kubeconfig|adminconf|proxy|certificate_authorities)_|_(ownership|permission)\.rego$/,
    reason:
      "control-plane, kubelet or node file setting: GKE and EKS run the control plane and the node images",
  },
  {
    tool: "checkov",
    path: /PSP\.py$|GKEPodSecurityPolicyEnabled|PodSecurityPolicy/,
    reason:
      "PodSecurityPolicy was removed in Kubernetes 1.25; Pod Security admission replaces it (k8s-namespace-pod-security)",
  },
  {
    tool: "checkov",
    path: /Tiller|NginxIngress|KubernetesDashboard/,
    reason: "Helm v2 Tiller, ingress-nginx and the Kubernetes dashboard are not deployed",
  },
  {
    tool: "trivy",
    path: /kubernetes\/(tiller_is_deployed|insecure_ingress_nginx)\.rego$|gatekeeper/,
    reason: "Helm v2 Tiller and ingress-nginx are not deployed",
  },
  {
    tool: "trivy",
    path: /aws\/iam\/(no_password_reuse|require_\w+_in_passwords|set_max_password_age|set_minimum_password_length|enforce_\w*mfa|limit_root_account_usage|no_root_access_keys|disable_unused_credentials\w*|rotate_access_keys|limit_user_access_keys|no_user_attached_policies|remove_expired_certificates)\.rego$/,
    reason:
      "account-level IAM (password policy, root account, IAM users and their keys): the program creates roles only",
  },
  {
    tool: "trivy",
    path: /google\/compute\/(no_project_wide_ssh_keys|no_serial_port|no_public_ip|vm_disk_encryption_customer_key|disk_encryption_customer_key|disk_encryption_no_plaintext_key|no_oslogin_override|enable_shielded_vm_\w+|no_ip_forwarding|no_default_service_account|use_secure_tls_policy|project_level_oslogin)\.rego$/,
    reason:
      "Compute Engine instances, disks, SSL policies and project metadata: the program creates none (GKE's node settings are checked on the clusters and node pools)",
  },
  {
    tool: "trivy",
    path: /google\/compute\/(no_public_ingress|no_public_egress|no_open_rdp_access|restrict_ssh_access|disable_allow_all_ports_firewall_rule|disable_default_firewall_rule|disable_port_range_rule)\.rego$/,
    reason: "VPC firewall rules: the program creates none (GKE manages the ones it needs)",
  },
  {
    tool: "trivy",
    path: /google\/iam\/(no_folder_level_\w+|no_org_level_\w+|no_default_network|no_conditions_on_workload_identity_pool_provider|configure_audit_logging)\.rego$/,
    reason:
      "organisation, folder and project settings (audit config, default network) and workload identity pools: the program manages none",
  },
  {
    tool: "trivy",
    path: /aws\/ec2\/(as_enable_at_rest_encryption|no_public_ip|no_sensitive_info|enable_volume_encryption|encryption_customer_key|enforce_http_token_imds|enable_at_rest_encryption|no_secrets_in_user_data|no_default_vpc|no_excessive_port_access|no_public_ingress_acl|specify_ami_owners)\.rego$/,
    reason:
      "launch configurations, standalone EC2 instances and EBS volumes, network ACLs, the default VPC and AMI lookups: the program creates none (nodes come from launch templates)",
  },
  {
    tool: "trivy",
    path: /aws\/rds\/(encrypt_cluster_storage_data|enable_cluster_deletion_protection)\.rego$/,
    reason: "Aurora clusters: the platform runs one RDS PostgreSQL instance",
  },
  {
    tool: "trivy",
    path: /aws\/s3\/enable_object_(read|write)_logging\.rego$/,
    reason: "CloudTrail data events: the account's trail is not part of this program",
  },
  {
    tool: "trivy",
    path: /google\/sql\/(mysql_no_local_infile|no_cross_db_ownership_chaining|no_contained_db_auth)\.rego$/,
    reason: "MySQL and SQL Server flags: the platform runs PostgreSQL",
  },
  {
    tool: "checkov",
    ids: ["CKV_GCP_50", "CKV_GCP_58", "CKV_GCP_59", "CKV2_GCP_7", "CKV2_GCP_20"],
    reason: "MySQL and SQL Server flags: the platform runs PostgreSQL",
  },
  {
    tool: "checkov",
    ids: [
      "CKV2_AWS_1",
      "CKV2_AWS_7",
      "CKV2_AWS_10",
      "CKV2_AWS_23",
      "CKV2_AWS_44",
      "CKV2_AWS_46",
      "CKV2_AWS_68",
      "CKV2_GCP_4",
      "CKV2_GCP_9",
      "CKV_AWS_388",
    ],
    reason:
      "about resources the program does not create (network ACLs, EMR, CloudTrail, Route 53, VPC peering, CloudFront, SageMaker, log sinks, Container Registry, Aurora); they name our types only as neighbours",
  },
  {
    tool: "kube-linter",
    ids: ["kube-linter:scc-deny-privileged-container", "kube-linter:sorted-keys"],
    reason:
      "OpenShift SecurityContextConstraints, and the key order of YAML files: neither is a property of the objects the program creates",
  },
  {
    tool: "trivy",
    ids: ["AVD-KSV-0124"],
    reason: "Gatekeeper is not deployed",
  },
  {
    tool: "trivy",
    path: /aws\/cloudwatch\/require_\w+_alarm\.rego$/,
    reason:
      "CIS account-level CloudTrail metric alarms: the account's trail is not part of this program",
  },
  {
    tool: "kubescape",
    path: /^controls\/C-0(005|11[3-9]|1[2-5]\d|160|277|283|290)-/,
    reason:
      "API server, controller-manager, scheduler and etcd flags, read from the control plane's static pods: GKE and EKS run the control plane",
  },
  {
    tool: "kubescape",
    targets:
      /^(KubeletInfo|KubeletConfiguration|KubeletCommandLine|ControlPlaneInfo|APIServerInfo|CNIInfo|KubeProxyInfo|cloudProviderInfo|LinuxKernelVariables|Node)$/,
    reason:
      "node files, kubelet settings and node state that kubescape's host sensor reads on a running cluster: GKE and EKS set them on their node images; what the program chooses for its nodes is judged on the clusters and node groups (gcp-gke-cos-containerd, aws-eks-supported-version...)",
  },
  {
    tool: "kubescape",
    ids: ["kubescape:C-0291"],
    reason:
      "kube-proxy's own configuration (its metrics bind address): GKE and the EKS kube-proxy add-on own it",
  },
  {
    tool: "kubescape",
    targets: /^SandboxTemplate$/,
    reason: "Agent Sandbox (SandboxTemplate) is not deployed",
  },
  {
    tool: "kubescape",
    ids: ["kubescape:C-0083", "kubescape:C-0084", "kubescape:C-0085", "kubescape:C-0274"],
    reason:
      "results of scanning a running cluster (image vulnerability reports, live probes of services), not properties of the objects the program declares",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0058",
      "kubescape:C-0059",
      "kubescape:C-0079",
      "kubescape:C-0081",
      "kubescape:C-0087",
      "kubescape:C-0089",
      "kubescape:C-0090",
      "kubescape:C-0091",
      "kubescape:C-0292",
    ],
    reason:
      "known CVEs or end of life of component versions on a running cluster (node kernel, containerd, ingress-nginx, Grafana, Kyverno, aggregated API servers, Argo CD before 2.3): the platform deploys none of them, or a version past the fix (Argo CD v3.3.9, pinned)",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0221",
      "kubescape:C-0222",
      "kubescape:C-0223",
      "kubescape:C-0250",
      "kubescape:C-0251",
      "kubescape:C-0308",
    ],
    reason:
      "container registry access and scanning (ECR, ACR, Artifact Registry): the program creates no registry",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0239",
      "kubescape:C-0240",
      "kubescape:C-0241",
      "kubescape:C-0242",
      "kubescape:C-0243",
      "kubescape:C-0244",
      "kubescape:C-0245",
      "kubescape:C-0247",
      "kubescape:C-0248",
      "kubescape:C-0249",
      "kubescape:C-0252",
      "kubescape:C-0254",
    ],
    reason: "AKS controls (kubescape's AKS framework): the platform runs GKE or EKS",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0246",
      "kubescape:C-0286",
      "kubescape:C-0287",
      "kubescape:C-0288",
      "kubescape:C-0289",
    ],
    reason:
      "manual controls: kubescape lists them for a person to review, with no automated check (k8s-rbac-no-cluster-admin refuses system:masters bindings all the same)",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0068",
      "kubescape:C-0213",
      "kubescape:C-0214",
      "kubescape:C-0215",
      "kubescape:C-0216",
      "kubescape:C-0217",
      "kubescape:C-0218",
      "kubescape:C-0219",
      "kubescape:C-0220",
    ],
    reason:
      "PodSecurityPolicy was removed in Kubernetes 1.25; Pod Security admission replaces it (k8s-namespace-pod-security)",
  },
  {
    tool: "kubescape",
    ids: ["kubescape:C-0014", "kubescape:C-0266", "kubescape:C-0302"],
    reason:
      "the Kubernetes dashboard, the Gateway API and Istio are not deployed (the platform's entry points are Services and Ingresses, judged by k8s-service-not-public and k8s-ingress-tls)",
  },
  {
    tool: "kubescape",
    ids: [
      "kubescape:C-0026",
      "kubescape:C-0036",
      "kubescape:C-0039",
      "kubescape:C-0053",
      "kubescape:C-0209",
      "kubescape:C-0232",
    ],
    reason:
      "inventories kubescape prints for review (every CronJob, webhook configuration, namespace, Role, or the permissions of every ServiceAccount), not a misconfiguration a rule could refuse",
  },
];

/** The out-of-scope reason for a check, or undefined when it is in scope. */
export const outOfScope = (c: ExternalCheck): string | undefined =>
  OUT_OF_SCOPE.find(
    (o) =>
      o.tool === c.tool &&
      (o.path?.test(c.path) ||
        o.ids?.includes(c.id) ||
        (o.targets && c.targets.length > 0 && c.targets.every((t) => o.targets!.test(t)))),
  )?.reason;

/**
 * Types that appear in the tools' examples and that the rules read, though the program does
 * not create them (Pulumi type -> Terraform type); used to translate the examples only.
 */
export const EXAMPLE_TYPES: Record<string, string> = {
  "aws:rds/cluster:Cluster": "aws_rds_cluster",
  "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
  "aws:s3/bucketAcl:BucketAcl": "aws_s3_bucket_acl",
  "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
  "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
  "aws:iam/policy:Policy": "aws_iam_policy",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding": "google_storage_bucket_iam_binding",
  "gcp:projects/iAMBinding:IAMBinding": "google_project_iam_binding",
};

/**
 * In-scope checks the pack deliberately does not adopt, each with the reason: what we require
 * instead, or why the check's demand does not fit this platform. Listed as "not adopted" in
 * COVERAGE.md; a security team that disagrees can add a rule (policies/README.md).
 */
export const NOT_ADOPTED: {
  ids: string[];
  /** Ids matched by pattern (a family of generated checks); a check a rule cites is covered. */
  pattern?: RegExp;
  reason: string;
}[] = [
  {
    ids: [
      "CKV_K8S_11",
      "AVD-KSV-0011",
      "kube-linter:unset-cpu-requirements",
      "polaris:cpuLimitsMissing",
      "kubescape:C-0009",
      "kubescape:C-0050",
      "kubescape:C-0270",
    ],
    reason:
      "CPU limits throttle latency-sensitive model servers (CFS quota) even on idle nodes; k8s-pod-resources requires CPU and memory requests and a memory limit",
  },
  {
    ids: [
      "CKV_K8S_8",
      "CKV_K8S_9",
      "kube-linter:no-liveness-probe",
      "kube-linter:no-readiness-probe",
      "polaris:livenessProbeMissing",
      "polaris:readinessProbeMissing",
      "kubescape:C-0018",
      "kubescape:C-0056",
    ],
    reason:
      "probes are required where a container serves a port (k8s-server-probes); workers and jobs have nothing to probe",
  },
  {
    ids: [
      "kube-linter:minimum-three-replicas",
      "kube-linter:hpa-minimum-three-replicas",
      "compliance-policies:kubernetes-apps-v1-deployment-configure-minimum-replica-count",
      "compliance-policies:kubernetes-apps-v1-replicaset-configure-minimum-replica-count",
      "polaris:hpaMaxAvailability",
      "polaris:hpaMinAvailability",
    ],
    reason:
      "where high availability is required, k8s-server-replicas-pdb asks for minReplicas (2 unless the stack sets more) and a PodDisruptionBudget",
  },
  {
    ids: ["CKV_K8S_15", "polaris:pullPolicyNotAlways"],
    reason:
      "images are pinned to an exact tag or digest (k8s-pod-pinned-images), so pulling Always only adds registry traffic",
  },
  {
    ids: ["CKV_K8S_35", "kube-linter:read-secret-from-env-var", "kubescape:C-0207"],
    reason:
      "a Secret referenced from the environment (secretKeyRef) is how MLflow and libpq read their credentials (PGPASSWORD); k8s-env-no-literal-secrets refuses credentials written into the manifest as literal values",
  },
  {
    ids: ["CKV_K8S_40", "AVD-KSV-0020", "AVD-KSV-0021"],
    reason:
      "images run as their own non-root users (MLflow's 1001); Pod Security restricted requires non-root (k8s-pod-restricted-security-context), not a UID range",
  },
  {
    ids: ["AVD-KSV-0002"],
    reason:
      "Pod Security restricted requires the RuntimeDefault seccomp profile (k8s-pod-restricted-security-context), not an AppArmor annotation; GKE's COS and EKS's AL2023 nodes apply their runtime's default profile",
  },
  {
    ids: [
      "kube-linter:no-node-affinity",
      "kube-linter:dnsconfig-options",
      "kube-linter:priority-class-name",
      "kube-linter:required-annotation-email",
      "kube-linter:required-label-owner",
      "compliance-policies:kubernetes-apps-v1-daemonset-configure-recommended-labels",
      "compliance-policies:kubernetes-apps-v1-deployment-configure-recommended-labels",
      "compliance-policies:kubernetes-apps-v1-replicaset-configure-recommended-labels",
      "compliance-policies:kubernetes-apps-v1-statefulset-configure-recommended-labels",
      "compliance-policies:kubernetes-batch-v1-cronjob-configure-recommended-labels",
      "compliance-policies:kubernetes-batch-v1-job-configure-recommended-labels",
      "compliance-policies:kubernetes-core-v1-service-configure-recommended-labels",
      "polaris:metadataAndInstanceMismatched",
      "polaris:priorityClassNotSet",
      "kubescape:C-0076",
      "kubescape:C-0077",
    ],
    reason:
      "scheduling and ownership conventions rather than misconfigurations; ownership is carried by the team label cost-required-labels asks for",
  },
  {
    ids: [
      "CKV_AWS_143",
      "CKV_AWS_144",
      "AVD-AWS-0170",
      "CKV2_AWS_62",
      "compliance-policies:aws-s3-bucket-configure-replication-configuration",
      "compliance-policies:aws-s3-bucket-enable-replication-configuration",
    ],
    reason:
      "artifacts are protected by versioning with capped noncurrent versions (aws-s3-versioning, cost-bucket-versions-capped); object lock, cross-region replication, event notifications and MFA delete (which only the root user can switch on, outside IaC) are retention and DR decisions each organisation makes",
  },
  {
    ids: ["CKV_AWS_338"],
    reason:
      "retention is an environment setting (cluster.logRetentionDays, CloudWatch's allowed values); aws-cloudwatch-log-group requires one to be set",
  },
  {
    ids: ["AVD-AWS-0104", "CKV_AWS_382"],
    reason:
      "nodes and the CI runner reach AWS APIs, registries and GitHub through the NAT gateway; where the program owns the group (the CI runner) egress is HTTPS only, and EKS owns the node groups' security group",
  },
  {
    ids: ["AVD-KSV-0113", "kube-linter:access-to-secrets", "kubescape:C-0015", "kubescape:C-0186"],
    reason:
      "a namespaced Role reading its namespace's Secrets is how controllers get their own credentials; k8s-rbac-no-escalation refuses Secrets access cluster-wide",
  },
  {
    ids: ["CKV_K8S_25", "AVD-KSV-0022"],
    reason:
      "NET_BIND_SERVICE is the one capability Pod Security restricted lets a container add; k8s-pod-no-privileged refuses every other",
  },
  {
    ids: ["AVD-KSV-0117", "kube-linter:privileged-ports"],
    reason:
      "a port below 1024 needs root or NET_BIND_SERVICE to bind; containers must run as non-root (k8s-pod-restricted-security-context) and may add no other capability",
  },
  {
    ids: [
      "CKV_K8S_38",
      "AVD-KSV-0036",
      "kube-linter:default-service-account",
      "polaris:automountServiceAccountToken",
      "kubescape:C-0034",
      "kubescape:C-0190",
      "kubescape:C-0261",
    ],
    reason:
      "pods on their own ServiceAccount may need the API; the token is refused where it grants nothing deliberate, on the namespace's default ServiceAccount (k8s-pod-service-account-token)",
  },
  {
    ids: ["CKV_K8S_43", "kubescape:C-0306"],
    reason:
      "platform images are pinned to exact tags through pinned chart versions (helm-release-pinned-version, k8s-pod-pinned-images); model images are pinned by digest by the models CLI (npm run models -- verify)",
  },
  {
    ids: ["AVD-KSV-0039", "AVD-KSV-0040"],
    reason:
      "every container declares CPU and memory requests and a memory limit (k8s-pod-resources); LimitRanges and ResourceQuotas are per-team quota decisions",
  },
  {
    ids: ["CKV_AWS_61"],
    reason:
      "trusting another account's root delegates the choice to that account's IAM, the pattern AWS documents for cross-account roles; aws-iam-role-trust-not-public refuses a trust of any principal without conditions",
  },
  {
    ids: ["CKV2_AWS_64", "CKV_AWS_227"],
    reason:
      "the keys use AWS's default key policy, which delegates access to the account's IAM policies, and aws-kms-key-policy-safe checks any policy that is given; disabling a key is a deliberate operator action (before deletion, or to cut access in an incident)",
  },
  {
    ids: ["AVD-GCP-0053"],
    reason:
      "authorized networks on GKE's public endpoint are by nature public addresses (office, VPN, CI egress); gcp-gke-restricted-control-plane refuses 0.0.0.0/0, and the DNS endpoint admits only IAM-authorized callers",
  },
  {
    ids: ["CKV_AWS_260", "compliance-policies:aws-ec2-securitygroup-disallow-inbound-http-traffic"],
    reason:
      "the platform opens no port 80; public load balancers are refused by k8s-service-not-public unless a stack allows them, and a web listener on 80 is then a deliberate choice",
  },
  {
    ids: ["CKV2_GCP_13"],
    reason:
      "log_duration writes one log line per statement, and MLflow writes a row per logged metric step: Cloud Logging bills that volume; gcp-cloudsql-postgres-log-flags logs connections, DDL, lock waits, temp files and errors",
  },
  {
    ids: ["CKV_GCP_108"],
    reason:
      "CIS PostgreSQL (3.1.x, log_hostname) recommends off: a reverse DNS lookup per connection; the connection log already records the client address",
  },
  {
    ids: ["CKV_GCP_65"],
    reason:
      "Google Groups for RBAC needs a Google Workspace gke-security-groups group per organisation; people reach the cluster through project IAM roles, and the platform's RBAC binds ServiceAccounts only",
  },
  {
    ids: ["CKV_GCP_79"],
    reason:
      "the newest major (POSTGRES_18 in checkov's list) is a moving target and a major upgrade is a planned migration; database-postgres-supported-major refuses majors the community no longer supports",
  },
  {
    ids: ["CKV2_GCP_18"],
    reason:
      "a custom-mode VPC starts with GCP's implied rules (ingress denied, egress allowed) and none of the default network's allow rules; GKE creates the firewall rules its nodes and control plane need",
  },
  {
    ids: [
      "kube-linter:dangling-horizontalpodautoscaler",
      "kube-linter:dangling-ingress",
      "kube-linter:dangling-networkpolicy",
      "kube-linter:dangling-networkpolicypeer-podselector",
      "kube-linter:dangling-service",
      "kube-linter:dangling-servicemonitor",
      "kube-linter:non-existent-service-account",
      "kube-linter:env-value-from",
      "kubescape:C-0293",
      "kubescape:C-0298",
      "kubescape:C-0299",
      "kubescape:C-0300",
      "kubescape:C-0307",
    ],
    reason:
      "the pack sees one stack: a Helm release is one resource (its objects are invisible) and the models arrive through the GitOps repository, so a Service, NetworkPolicy, ServiceMonitor or secret reference aimed at them would look dangling; kube-linter run on the GitOps repository sees both ends",
  },
  {
    ids: ["kube-linter:restart-policy"],
    reason:
      "Deployments accept only Always (the API refuses others), and restartPolicy Never is how a Job replaces a failed pod with a fresh one (backoffLimit) instead of restarting it in place",
  },
  {
    ids: ["kube-linter:schema-validation"],
    reason:
      "every object the program creates is validated in CI against its kubernetes-models schema plus a strict walk for unknown fields (scripts/lib/strictSchema.ts, test/services/schemas.test.ts), and the API server validates on apply; the pack does not ship the schemas",
  },
  {
    ids: ["AVD-KSV-0118"],
    reason:
      "k8s-pod-restricted-security-context judges the effective settings wherever they are set: a pod whose containers each carry the restricted settings needs no pod-level securityContext",
  },
  {
    ids: ["AVD-KSV-01010"],
    reason:
      "its patterns (key:, email:, username:, MD5, IBAN-like strings) match ordinary configuration; k8s-configmap-no-secrets refuses credential keys and credential-like lines",
  },
  {
    ids: [],
    pattern: /^compliance-policies:kubernetes-.+-disallow-(alpha|beta)-resource$/,
    reason:
      "pre-release APIs the clusters still serve are a deliberate choice (beta dynamic resource allocation for GPUs, for one); k8s-no-removed-apis refuses the beta versions removed from the Kubernetes releases the platform runs, which fail to apply",
  },
  {
    ids: ["compliance-policies:aws-ec2-securitygroup-disallow-public-internet-ingress"],
    reason:
      "public ingress on a service port (443 to a load balancer) is how a public endpoint works; aws-ec2-no-ssh-from-anywhere refuses SSH, RDP and every port from the internet, and k8s-service-not-public refuses public load balancers unless a stack allows them",
  },
  {
    ids: ["polaris:missingNetworkPolicy", "kubescape:C-0030"],
    reason:
      "Polaris asks every workload for a policy restricting both ingress and egress; k8s-namespace-network-policy requires that a NetworkPolicy select every workload (CIS 5.3.2), and egress limits are a per-workload choice (MLflow reaches its database, its bucket and Google or AWS APIs)",
  },
  {
    ids: ["kubescape:C-0062"],
    reason:
      "sudo gains nothing without privilege escalation, which k8s-pod-restricted-security-context refuses (allowPrivilegeEscalation: false, non-root, ALL capabilities dropped); what an image's entrypoint script runs is not part of the manifest",
  },
  {
    ids: ["kubescape:C-0231"],
    reason:
      "public load balancers are refused unless a stack allows them (k8s-service-not-public), and TLS is terminated by the serving pod or an Ingress (k8s-ingress-tls); an internal NLB carrying TLS through is as safe as one terminating it with an ACM certificate",
  },
  {
    ids: ["kubescape:C-0234"],
    reason:
      "Kubernetes Secrets are the platform's secret store, envelope-encrypted with a KMS key on EKS (aws-eks-secrets-encryption) and, where a stack requires it, on GKE; an external store (Vault, a CSI driver) is an organisation's choice",
  },
  {
    ids: ["kubescape:C-0236", "kubescape:C-0237"],
    reason:
      "signatures live in the registry: a pack judging a preview cannot fetch them; Binary Authorization verifies them at admission where a stack requires it (gcp-gke-observability-and-admission), and model images are pinned by digest (npm run models -- verify)",
  },
  {
    ids: ["kubescape:C-0255", "kubescape:C-0257", "kubescape:C-0258"],
    reason:
      "mounting a Secret, ConfigMap or volume claim as a file is how a pod should receive them (kubescape C-0207 prefers files to environment variables); kubescape lists these mounts as context for its attack paths, not as misconfigurations",
  },
];

/** The not-adopted reason for a check id, or undefined (the caller looks for a covering rule first). */
export const notAdopted = (id: string): string | undefined =>
  NOT_ADOPTED.find((n) => n.ids.includes(id) || n.pattern?.test(id))?.reason;

/**
 * Every rule: a compliant case passes, each failing condition fails with its
 * message, absent properties behave like the provider default, and config
 * overrides are honoured. A guard makes sure no rule lacks cases.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Rule } from "../../policies/lib/rule";
import { allRules, argoRules } from "../../policies/rules";
import { gpuPool as costGpuPool } from "../../policies/rules/cost";
import { runResourceRule, runStackRule, type StackItem } from "../../scripts/lib/policyInProcess";
import { namesResource } from "../../policies/rules/kubernetes/rbac";

interface ResourceCase {
  /** The rule, when the key names a second form of it ("<rule> (<form>)"). */
  rule?: string;
  type: string;
  /** A compliant resource; null when the type itself is the finding (every object fails). */
  good: Record<string, unknown> | null;
  bad: [Record<string, unknown>, RegExp][];
  /** Whether `{}` (every property absent, i.e. provider defaults) violates. */
  absentViolates: boolean;
  /** A config that flips the outcome for `props`. */
  config?: { config: Record<string, unknown>; props: Record<string, unknown>; violates: boolean };
}

const KEY = "arn:aws:kms:us-east-1:111122223333:key/k";
const CL = "gcp:container/cluster:Cluster";
const NP = "gcp:container/nodePool:NodePool";
const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const GCS = "gcp:storage/bucket:Bucket";
const EKS = "aws:eks/cluster:Cluster";
const NG = "aws:eks/nodeGroup:NodeGroup";
const RDS = "aws:rds/instance:Instance";
const DEP = "kubernetes:apps/v1:Deployment";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const APP = "kubernetes:argoproj.io/v1alpha1:Application";
const APPSET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet";
const REL = "kubernetes:helm.sh/v3:Release";

const goodContainer = {
  name: "app",
  image: "repo/app:1.2.3",
  ports: [{ containerPort: 80 }],
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  readinessProbe: { httpGet: { path: "/", port: 80 } },
  livenessProbe: { httpGet: { path: "/", port: 80 } },
  securityContext: {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  },
};
const deployment = (
  spec: Record<string, unknown> = {},
  container: Record<string, unknown> = {},
) => ({
  metadata: { namespace: "models" },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: "a" } },
      spec: { containers: [{ ...goodContainer, ...container }], ...spec },
    },
  },
});
/** A Deployment whose two replicas are spread over nodes. */
const spread = () =>
  deployment({
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" },
    ],
  });
const gpuPool = (over: Record<string, unknown> = {}) => ({
  autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 2 },
  nodeConfig: { spot: true, guestAccelerators: [{ type: "nvidia-l4", count: 1 }] },
  ...over,
});
const secure = (cidr: string) => ({
  masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: cidr }] },
});

const RESOURCE_CASES: Record<string, ResourceCase> = {
  "gcp-gke-private-nodes": {
    type: CL,
    good: { privateClusterConfig: { enablePrivateNodes: true } },
    bad: [[{ privateClusterConfig: { enablePrivateNodes: false } }, /enablePrivateNodes/]],
    absentViolates: true,
  },
  "gcp-gke-restricted-control-plane": {
    type: CL,
    good: secure("10.0.0.0/8"),
    bad: [
      [secure("0.0.0.0/0"), /0\.0\.0\.0\/0/],
      [{}, /absent: the public endpoint is open/],
      [
        { privateClusterConfig: { enablePrivateEndpoint: true } },
        /absent: every address routed to the private endpoint/,
      ],
    ],
    absentViolates: true,
  },
  "gcp-gke-vpc-native": {
    type: CL,
    good: {
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: { clusterSecondaryRangeName: "pods" },
    },
    bad: [
      [{ networkingMode: "ROUTES", ipAllocationPolicy: {} }, /networkingMode is ROUTES/],
      [{ networkingMode: "VPC_NATIVE" }, /ipAllocationPolicy is absent/],
    ],
    absentViolates: true,
  },
  "gcp-gke-node-pools-separate": {
    type: CL,
    good: { removeDefaultNodePool: true, nodePools: [] },
    bad: [[{ nodePools: [{ name: "gpu", nodeCount: 1 }] }, /nodePools declares 1 inline pool/]],
    absentViolates: false,
  },
  "gcp-gke-workload-identity": {
    type: CL,
    good: { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" } },
    bad: [[{ workloadIdentityConfig: {} }, /workloadPool/]],
    absentViolates: true,
  },
  "gcp-gke-metadata-server": {
    type: NP,
    good: { nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" } } },
    bad: [[{ nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } }, /GKE_METADATA/]],
    absentViolates: true,
  },
  "gcp-gke-shielded-nodes": {
    type: NP,
    good: { nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: true } } },
    bad: [
      [
        {
          nodeConfig: {
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: false },
          },
        },
        /IntegrityMonitoring/,
      ],
    ],
    absentViolates: true,
  },
  "gcp-gke-no-legacy-auth": {
    type: CL,
    good: { enableLegacyAbac: false },
    bad: [
      [{ enableLegacyAbac: true }, /Abac/],
      [
        { masterAuth: { clientCertificateConfig: { issueClientCertificate: true } } },
        /client certificates/,
      ],
    ],
    absentViolates: false,
  },
  "gcp-gke-release-channel": {
    type: CL,
    good: { releaseChannel: { channel: "REGULAR" } },
    bad: [[{ releaseChannel: { channel: "UNSPECIFIED" } }, /UNSPECIFIED/]],
    absentViolates: true,
    config: {
      config: { allowedChannels: ["STABLE"] },
      props: { releaseChannel: { channel: "REGULAR" } },
      violates: true,
    },
  },
  "gcp-gke-node-auto-repair-upgrade": {
    type: NP,
    good: { management: { autoRepair: true, autoUpgrade: true } },
    bad: [[{ management: { autoUpgrade: false } }, /autoUpgrade/]],
    absentViolates: false,
  },
  "gcp-gke-dedicated-node-sa": {
    type: NP,
    good: { nodeConfig: { serviceAccount: "nodes@p.iam.gserviceaccount.com" } },
    bad: [
      [
        { nodeConfig: { serviceAccount: "123-compute@developer.gserviceaccount.com" } },
        /default SA/,
      ],
    ],
    absentViolates: true,
  },
  "gcp-gke-cos-containerd": {
    type: NP,
    good: { nodeConfig: { imageType: "COS_CONTAINERD" } },
    bad: [[{ nodeConfig: { imageType: "UBUNTU_CONTAINERD" } }, /UBUNTU/]],
    absentViolates: false,
  },
  "gcp-gke-network-policy": {
    type: CL,
    good: { datapathProvider: "ADVANCED_DATAPATH" },
    bad: [[{ datapathProvider: "LEGACY_DATAPATH" }, /NetworkPolicy/]],
    absentViolates: true,
  },
  "gcp-gke-network-policy (Autopilot)": {
    rule: "gcp-gke-network-policy",
    type: CL,
    good: { enableAutopilot: true },
    bad: [[{ enableAutopilot: false }, /NetworkPolicy/]],
    absentViolates: true,
  },
  "gcp-gke-secrets-encryption": {
    type: CL,
    good: {
      databaseEncryption: {
        state: "ENCRYPTED",
        keyName: "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/gke",
      },
    },
    bad: [[{ databaseEncryption: { state: "ENCRYPTED" } }, /names no keyName/]],
    absentViolates: false,
    config: { config: { requireSecretsEncryption: true }, props: {}, violates: true },
  },
  "gcp-gke-observability-and-admission": {
    type: CL,
    good: { loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] } },
    bad: [
      [{ loggingService: "none" }, /Logging is off/],
      [{ monitoringConfig: { enableComponents: [] } }, /Monitoring is off/],
      [{ loggingService: "logging.googleapis.com" }, /legacy logging.googleapis.com/],
      [{ monitoringService: "monitoring.googleapis.com" }, /legacy monitoring.googleapis.com/],
    ],
    absentViolates: false,
    config: { config: { requireBinaryAuthorization: true }, props: {}, violates: true },
  },
  "gcp-gcs-logging-and-cmek": {
    type: "gcp:storage/bucket:Bucket",
    good: {
      logging: { logBucket: "logs" },
      encryption: { defaultKmsKeyName: "projects/p/locations/l/keyRings/r/cryptoKeys/k" },
    },
    bad: [[{ name: "artifacts", logging: { logBucket: "artifacts" } }, /the bucket itself/]],
    absentViolates: false,
    config: {
      config: { requireAccessLogging: true, requireCustomerKey: true },
      props: {},
      violates: true,
    },
  },
  "gcp-cloudsql-private-ip-only": {
    type: SQL,
    good: {
      settings: {
        ipConfiguration: {
          ipv4Enabled: false,
          privateNetwork: "net",
          authorizedNetworks: [{ name: "vpc", value: "10.20.0.0/16" }],
        },
      },
    },
    bad: [
      [
        { settings: { ipConfiguration: { ipv4Enabled: true, privateNetwork: "net" } } },
        /public IP/,
      ],
      // Dormant while the public IP is off, live the moment someone turns it on.
      [
        {
          settings: {
            ipConfiguration: {
              ipv4Enabled: false,
              privateNetwork: "net",
              authorizedNetworks: [{ name: "all", value: "0.0.0.0/0" }],
            },
          },
        },
        /admits 0.0.0.0\/0/,
      ],
      [
        {
          settings: {
            ipConfiguration: {
              ipv4Enabled: false,
              privateNetwork: "net",
              authorizedNetworks: [{ name: "office", value: "198.51.100.0/24" }],
            },
          },
        },
        /admits the public range 198.51.100.0\/24/,
      ],
    ],
    absentViolates: true,
  },
  "gcp-cloudsql-tls-required": {
    type: SQL,
    good: { settings: { ipConfiguration: { sslMode: "ENCRYPTED_ONLY" } } },
    bad: [
      [{ settings: { ipConfiguration: { sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } } }, /ALLOW/],
    ],
    absentViolates: true,
  },
  "gcp-cloudsql-backups": {
    type: SQL,
    good: {
      settings: {
        backupConfiguration: {
          enabled: true,
          pointInTimeRecoveryEnabled: true,
          backupRetentionSettings: { retainedBackups: 14 },
        },
      },
    },
    bad: [[{ settings: { backupConfiguration: { enabled: true } } }, /point-in-time/]],
    absentViolates: true,
    config: {
      config: { minRetainedBackups: 30 },
      props: {
        settings: {
          backupConfiguration: {
            enabled: true,
            pointInTimeRecoveryEnabled: true,
            backupRetentionSettings: { retainedBackups: 14 },
          },
        },
      },
      violates: true,
    },
  },
  "gcp-cloudsql-resilience": {
    type: SQL,
    good: { settings: { deletionProtectionEnabled: true } },
    bad: [
      [
        { deletionProtection: false, settings: { deletionProtectionEnabled: true } },
        /deletionProtection is false/,
      ],
    ],
    absentViolates: true,
    config: {
      config: { requireHighAvailability: true },
      props: { settings: { deletionProtectionEnabled: true, availabilityType: "ZONAL" } },
      violates: true,
    },
  },
  "gcp-cloudsql-postgres-log-flags": {
    type: SQL,
    good: {
      databaseVersion: "POSTGRES_16",
      settings: {
        databaseFlags: [
          ...["log_connections", "log_disconnections", "log_checkpoints", "log_lock_waits"].map(
            (name) => ({ name, value: "on" }),
          ),
          { name: "log_temp_files", value: "0" },
          { name: "log_statement", value: "ddl" },
          { name: "log_min_duration_statement", value: "-1" },
          { name: "log_parser_stats", value: "off" },
          // More verbose than the CIS level only logs more: not a violation.
          { name: "log_min_messages", value: "debug1" },
        ],
      },
    },
    bad: [
      [{ databaseVersion: "POSTGRES_16", settings: { databaseFlags: [] } }, /log_connections/],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: { databaseFlags: [{ name: "log_min_messages", value: "FATAL" }] },
        },
        /log_min_messages is fatal, so errors are not logged/,
      ],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: { databaseFlags: [{ name: "log_min_error_statement", value: "panic" }] },
        },
        /log_min_error_statement is panic, so errors are not logged/,
      ],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: { databaseFlags: [{ name: "log_min_messages", value: "verbose" }] },
        },
        /log_min_messages is verbose, not a PostgreSQL severity level/,
      ],
      [
        { databaseVersion: "POSTGRES_16", settings: { databaseFlags: [] } },
        /log_temp_files is not 0/,
      ],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: { databaseFlags: [{ name: "log_statement", value: "none" }] },
        },
        /log_statement is not ddl, mod or all/,
      ],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: { databaseFlags: [{ name: "log_min_duration_statement", value: "0" }] },
        },
        /log_min_duration_statement is 0, not -1/,
      ],
      [
        {
          databaseVersion: "POSTGRES_16",
          settings: {
            databaseFlags: [
              { name: "log_executor_stats", value: "on" },
              { name: "log_statement_stats", value: "on" },
            ],
          },
        },
        /flags on that must be off: log_executor_stats, log_statement_stats/,
      ],
    ],
    absentViolates: false,
    config: {
      config: { requirePgaudit: true },
      props: {
        databaseVersion: "POSTGRES_16",
        settings: {
          databaseFlags: [
            ...["log_connections", "log_disconnections", "log_checkpoints", "log_lock_waits"].map(
              (name) => ({ name, value: "on" }),
            ),
            { name: "log_temp_files", value: "0" },
            { name: "log_statement", value: "mod" },
          ],
        },
      },
      violates: true,
    },
  },
  "gcp-gcs-uniform-access": {
    type: GCS,
    good: { uniformBucketLevelAccess: true },
    bad: [[{ uniformBucketLevelAccess: false }, /uniform/]],
    absentViolates: true,
  },
  "gcp-gcs-public-access-prevention": {
    type: GCS,
    good: { publicAccessPrevention: "enforced" },
    bad: [[{ publicAccessPrevention: "inherited" }, /inherited/]],
    absentViolates: true,
  },
  "gcp-gcs-versioning": {
    type: GCS,
    good: { versioning: { enabled: true } },
    bad: [[{ versioning: { enabled: false } }, /versioning/]],
    absentViolates: true,
  },
  "gcp-gcs-no-public-iam": {
    type: "gcp:storage/bucketIAMMember:BucketIAMMember",
    good: {
      role: "roles/storage.objectViewer",
      member: "serviceAccount:a@p.iam.gserviceaccount.com",
    },
    bad: [[{ role: "roles/storage.objectViewer", member: "allUsers" }, /allUsers/]],
    absentViolates: false,
  },
  "aws-eks-endpoint-restricted": {
    type: EKS,
    good: {
      vpcConfig: {
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      },
    },
    bad: [
      [
        { vpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } },
        /0\.0\.0\.0/,
      ],
    ],
    absentViolates: true,
    config: {
      config: { allowPublicEndpoint: false },
      props: { vpcConfig: { endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } },
      violates: true,
    },
  },
  "aws-eks-secrets-encryption": {
    type: EKS,
    good: { encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:k" } } },
    bad: [[{ encryptionConfig: { resources: ["secrets"] } }, /KMS/]],
    absentViolates: true,
  },
  "aws-eks-access-entries": {
    type: EKS,
    good: { accessConfig: { authenticationMode: "API" } },
    bad: [
      [{ accessConfig: { authenticationMode: "CONFIG_MAP" } }, /CONFIG_MAP: only the aws-auth/],
    ],
    // unset is CONFIG_MAP for clusters created through the API
    absentViolates: true,
  },
  "aws-eks-control-plane-logs": {
    type: EKS,
    good: { enabledClusterLogTypes: ["api", "audit", "authenticator"] },
    bad: [[{ enabledClusterLogTypes: ["api"] }, /audit/]],
    absentViolates: true,
    config: {
      config: { requiredLogTypes: ["api"] },
      props: { enabledClusterLogTypes: ["api"] },
      violates: false,
    },
  },
  "aws-eks-supported-version": {
    type: EKS,
    good: { version: "1.35" },
    bad: [
      [{ version: "1.27" }, /not an EKS version this platform knows/],
      [{ version: "1.33" }, /left EKS standard support on 2026-07-29/],
    ],
    absentViolates: false,
    // Judged on another day: 1.33 was still supported in June 2026.
    config: { config: { today: "2026-06-01" }, props: { version: "1.33" }, violates: false },
  },
  "aws-eks-nodegroup-no-ssh": {
    type: NG,
    good: { nodeRoleArn: "arn" },
    bad: [[{ remoteAccess: { ec2SshKey: "k" } }, /SSH/]],
    absentViolates: false,
  },
  "aws-ec2-imdsv2-required": {
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    good: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
    bad: [
      [{ metadataOptions: { httpTokens: "optional" } }, /httpTokens/],
      // 2 lets every pod reach the node role's credentials (one hop further than the node).
      [
        { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } },
        /HopLimit 2 is above 1/,
      ],
    ],
    absentViolates: true,
    config: {
      config: { maxHopLimit: 2 },
      props: { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } },
      violates: false,
    },
  },
  "gcp-iam-no-admin-roles-for-service-accounts": {
    type: "gcp:projects/iAMMember:IAMMember",
    good: {
      role: "roles/logging.logWriter",
      member: "serviceAccount:nodes@p.iam.gserviceaccount.com",
    },
    bad: [
      [
        { role: "roles/editor", member: "serviceAccount:nodes@p.iam.gserviceaccount.com" },
        /holds roles\/editor/,
      ],
      [
        { role: "roles/storage.admin", member: "serviceAccount:ml@p.iam.gserviceaccount.com" },
        /holds roles\/storage.admin/,
      ],
      [
        {
          role: "roles/iam.serviceAccountAdmin",
          members: ["serviceAccount:ci@p.iam.gserviceaccount.com"],
        },
        /holds roles\/iam.serviceAccountAdmin/,
      ],
    ],
    absentViolates: false,
  },
  "gcp-iam-no-default-service-account-grants": {
    type: "gcp:projects/iAMMember:IAMMember",
    good: {
      role: "roles/logging.logWriter",
      member: "serviceAccount:mlops-prod-nodes@p.iam.gserviceaccount.com",
    },
    bad: [
      [
        {
          role: "roles/logging.logWriter",
          member: "serviceAccount:123-compute@developer.gserviceaccount.com",
        },
        /default service account/,
      ],
      [
        { role: "roles/viewer", members: ["serviceAccount:p@appspot.gserviceaccount.com"] },
        /default service account/,
      ],
    ],
    absentViolates: false,
  },
  "gcp-iam-project-members": {
    type: "gcp:projects/iAMBinding:IAMBinding",
    good: { role: "roles/container.viewer", members: ["group:sre@acme.dev", "user:ana@acme.dev"] },
    bad: [
      [{ role: "roles/viewer", members: ["group:sre@acme.dev"] }, /basic role roles\/viewer/],
      [
        { role: "roles/container.viewer", members: ["user:someone@gmail.com"] },
        /personal email account/,
      ],
    ],
    absentViolates: false,
    config: {
      config: { requireGroupsNotUsers: true },
      props: { role: "roles/container.viewer", members: ["user:ana@acme.dev"] },
      violates: true,
    },
  },
  "gcp-iam-no-project-impersonation": {
    type: "gcp:projects/iAMBinding:IAMBinding",
    good: { role: "roles/container.viewer", members: ["group:sre@acme.dev"] },
    bad: [
      [{ role: "roles/iam.serviceAccountUser", members: ["user:a@acme.dev"] }, /whole project/],
    ],
    absentViolates: false,
  },
  "aws-s3-no-public-acl": {
    type: "aws:s3/bucket:Bucket",
    good: {
      bucket: "b",
      grants: [{ type: "CanonicalUser", id: "owner", permissions: ["FULL_CONTROL"] }],
    },
    bad: [
      [{ acl: "public-read-write" }, /public/],
      [
        {
          grants: [
            {
              type: "Group",
              uri: "http://acs.amazonaws.com/groups/global/AllUsers",
              permissions: ["READ"],
            },
          ],
        },
        /grants AllUsers access/,
      ],
    ],
    absentViolates: false,
  },
  "aws-s3-no-public-acl (BucketAcl grants)": {
    rule: "aws-s3-no-public-acl",
    type: "aws:s3/bucketAcl:BucketAcl",
    good: { acl: "private" },
    bad: [
      [
        {
          accessControlPolicy: {
            grants: [
              {
                grantee: {
                  type: "Group",
                  uri: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
                },
                permission: "READ",
              },
            ],
          },
        },
        /grants AuthenticatedUsers access/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-no-admin-grants": {
    type: "aws:iam/rolePolicy:RolePolicy",
    good: {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }],
      }),
    },
    bad: [
      [
        { policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } },
        /every action/,
      ],
      [
        {
          policy: JSON.stringify({
            Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
          }),
        },
        /NotAction/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-no-service-wildcards": {
    type: "aws:iam/policy:Policy",
    good: {
      policy: {
        Statement: [
          { Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
          { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::mlops-*" },
          { Effect: "Deny", Action: "s3:*", Resource: "*" },
        ],
      },
    },
    bad: [
      [
        { policy: { Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: "*" }] } },
        /s3:\* on every resource/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-no-admin-grants (a role's inline and managed policies)": {
    rule: "aws-iam-no-admin-grants",
    type: "aws:iam/role:Role",
    good: {
      managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"],
      inlinePolicies: [
        {
          name: "read",
          policy: JSON.stringify({
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
          }),
        },
      ],
    },
    bad: [
      [
        { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
        /attaches AdministratorAccess/,
      ],
      [
        {
          inlinePolicies: [
            {
              name: "iam",
              policy: { Statement: [{ Effect: "Allow", Action: ["IAM:*"], Resource: "*" }] },
            },
          ],
        },
        /every IAM action \(iam:\*\)/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-s3-access-scoped": {
    type: "aws:iam/policy:Policy",
    good: {
      policy: {
        Statement: [
          {
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: "arn:aws:s3:::b/*",
          },
        ],
      },
    },
    bad: [
      [
        {
          policy: { Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }] },
        },
        /allows s3:\* \(every S3 action\)/,
      ],
      [
        {
          policy: JSON.stringify({
            Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:Put*"], Resource: "*" }],
          }),
        },
        /s3:Get\* and s3:Put\* on every resource/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-s3-access-scoped (a Deny takes s3:* back; managed AmazonS3FullAccess)": {
    rule: "aws-iam-s3-access-scoped",
    type: "aws:iam/role:Role",
    good: {
      inlinePolicies: [
        {
          name: "x",
          policy: {
            Statement: [
              { Effect: "Allow", Action: "s3:*", Resource: "*" },
              { Effect: "Deny", Action: "s3:*", Resource: "*" },
            ],
          },
        },
      ],
    },
    bad: [
      [
        { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] },
        /attaches AmazonS3FullAccess/,
      ],
    ],
    absentViolates: false,
  },
  "aws-iam-pass-role-scoped": {
    type: "aws:iam/rolePolicy:RolePolicy",
    good: {
      policy: {
        Statement: [
          {
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: "arn:aws:iam::111122223333:role/mlops-*",
            Condition: { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } },
          },
        ],
      },
    },
    bad: [
      [
        {
          policy: {
            Statement: [
              {
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: "*",
                Condition: { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } },
              },
            ],
          },
        },
        /iam:PassRole on every role/,
      ],
      [
        {
          policy: {
            Statement: [
              { Effect: "Allow", Action: ["iam:passrole"], Resource: "arn:aws:iam::1:role/app" },
            ],
          },
        },
        /without an iam:PassedToService condition/,
      ],
    ],
    absentViolates: false,
  },
  "aws-s3-bucket-policy-safe": {
    type: "aws:s3/bucketPolicy:BucketPolicy",
    good: {
      policy: {
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
            Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } },
          },
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111122223333:role/app" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::b/*",
          },
        ],
      },
    },
    bad: [
      [
        {
          policy: JSON.stringify({
            Statement: [
              { Effect: "Allow", Principal: { AWS: ["*"] }, Action: "s3:GetObject", Resource: "*" },
            ],
          }),
        },
        /allows s3:GetObject to any principal/,
      ],
      [
        {
          policy: {
            Statement: [
              {
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: "*",
                // an ARN in any account pins nothing (checkov's check_conditions)
                Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/x" } },
              },
            ],
          },
        },
        /to any principal/,
      ],
      [
        {
          policy: {
            Statement: [
              { Effect: "Deny", Principal: "*", Action: "s3:PutBucketPolicy", Resource: "*" },
            ],
          },
        },
        /only the root user could change it/,
      ],
    ],
    absentViolates: false,
  },
  "aws-s3-bucket-policy-safe (the bucket's inline policy)": {
    rule: "aws-s3-bucket-policy-safe",
    type: "aws:s3/bucket:Bucket",
    good: { bucket: "b" },
    bad: [
      [
        {
          policy: {
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }],
          },
        },
        /to any principal/,
      ],
    ],
    absentViolates: false,
  },
  "aws-s3-dns-compliant-name": {
    type: "aws:s3/bucket:Bucket",
    good: { bucket: "mlops-prod-artifacts" },
    bad: [
      [{ bucket: "mlops.prod.artifacts" }, /bucket mlops.prod.artifacts contains a dot/],
      [{ bucketPrefix: "logs.eu-" }, /bucketPrefix logs.eu- contains a dot/],
    ],
    absentViolates: false,
  },
  "aws-iam-role-trust-not-public (GitHub Actions OIDC)": {
    rule: "aws-iam-role-trust-not-public",
    type: "aws:iam/role:Role",
    good: {
      assumeRolePolicy: {
        Statement: [
          {
            Effect: "Allow",
            Principal: {
              Federated:
                "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
            },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/platform:*" },
            },
          },
        ],
      },
    },
    bad: [
      ...[
        ["*", /matches every repository/],
        ["repo:*", /leaves repo open/],
        ["workflow:deploy", /starts with workflow/],
        ["repo:acme*", /names no owner\/repository/],
      ].map(
        ([sub, re]) =>
          [
            {
              assumeRolePolicy: {
                Statement: [
                  {
                    Effect: "Allow",
                    Principal: {
                      Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com",
                    },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringLike: { "token.actions.githubusercontent.com:sub": sub } },
                  },
                ],
              },
            },
            re,
          ] as [Record<string, unknown>, RegExp],
      ),
      [
        {
          assumeRolePolicy: {
            Statement: [
              {
                Effect: "Allow",
                Principal: {
                  Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com",
                },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                  StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                },
              },
            ],
          },
        },
        /without a token.actions.githubusercontent.com:sub condition/,
      ],
    ],
    absentViolates: false,
  },
  "aws-vpc-default-route-nat-gateway": {
    type: "aws:ec2/routeTable:RouteTable",
    good: {
      routes: [
        { cidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" },
        { cidrBlock: "10.9.0.0/16", networkInterfaceId: "eni-1" },
      ],
    },
    bad: [
      [
        { routes: [{ cidrBlock: "0.0.0.0/0", networkInterfaceId: "eni-1" }] },
        /through an instance/,
      ],
    ],
    absentViolates: false,
  },
  "aws-vpc-default-route-nat-gateway (a Route resource)": {
    rule: "aws-vpc-default-route-nat-gateway",
    type: "aws:ec2/route:Route",
    good: { destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-1" },
    bad: [[{ destinationCidrBlock: "0.0.0.0/0", instanceId: "i-1" }, /through an instance/]],
    absentViolates: false,
  },
  "k8s-env-no-literal-secrets": {
    type: DEP,
    good: deployment(
      {},
      {
        env: [
          { name: "MLFLOW_TRACKING_URI", value: "http://mlflow.mlflow:5000" },
          { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
          { name: "API_TOKEN", value: "${API_TOKEN}" },
        ],
      },
    ),
    bad: [
      [
        deployment({}, { env: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
        /env DB_PASSWORD carries a credential/,
      ],
      [
        deployment({}, { env: [{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }] }),
        /AWS_SECRET_ACCESS_KEY/,
      ],
      [
        deployment({}, { env: [{ name: "blob", value: "---BEGIN OPENSSH PRIVATE KEY---\nx\n" }] }),
        /env blob carries a credential/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-ingress-tls": {
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    good: {
      spec: {
        tls: [{ hosts: ["models.example.org"], secretName: "models-tls" }],
        rules: [{ host: "models.example.org" }],
      },
    },
    bad: [
      [{ spec: { rules: [{ host: "a.example.org" }] } }, /spec.tls is not set/],
      [
        { spec: { tls: [{ hosts: ["a.example.org"] }], rules: [{ host: "b.example.org" }] } },
        /host b.example.org has no TLS entry/,
      ],
    ],
    absentViolates: true,
  },
  "k8s-default-service-account-inert": {
    type: "kubernetes:core/v1:ServiceAccount",
    good: {
      metadata: { name: "default", namespace: "models" },
      automountServiceAccountToken: false,
    },
    bad: [
      [
        { metadata: { name: "default", namespace: "models" } },
        /default ServiceAccount mounts its token/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-default-service-account-inert (bindings)": {
    rule: "k8s-default-service-account-inert",
    type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    good: {
      roleRef: { kind: "Role", name: "reader" },
      subjects: [{ kind: "ServiceAccount", name: "mlflow", namespace: "mlflow" }],
    },
    bad: [
      [
        {
          roleRef: { kind: "Role", name: "reader" },
          subjects: [{ kind: "ServiceAccount", name: "default", namespace: "models" }],
        },
        /grants reader to the default ServiceAccount of models/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-no-kube-system-workloads": {
    type: DEP,
    good: { ...deployment(), metadata: { namespace: "models" } },
    bad: [
      [{ ...deployment(), metadata: { namespace: "kube-system" } }, /is placed in kube-system/],
    ],
    absentViolates: false,
  },
  "k8s-no-kube-system-workloads (a cluster add-on)": {
    rule: "k8s-no-kube-system-workloads",
    type: "kubernetes:apps/v1:DaemonSet",
    good: {
      metadata: { namespace: "kube-system" },
      spec: { template: { spec: { priorityClassName: "system-node-critical", containers: [] } } },
    },
    bad: [
      [
        {
          metadata: { namespace: "kube-system" },
          spec: { template: { spec: { priorityClassName: "high", containers: [] } } },
        },
        /kube-system/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-job-cleanup": {
    type: "kubernetes:batch/v1:Job",
    good: { spec: { ttlSecondsAfterFinished: 3600, template: { spec: { containers: [] } } } },
    bad: [[{ spec: { template: { spec: { containers: [] } } } }, /never cleaned up/]],
    absentViolates: true,
  },
  "k8s-job-cleanup (a deployer's hook)": {
    rule: "k8s-job-cleanup",
    type: "kubernetes:batch/v1:Job",
    good: {
      metadata: {
        annotations: {
          "argocd.argoproj.io/hook": "PreSync",
          "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        },
      },
      spec: { template: { spec: { containers: [] } } },
    },
    bad: [
      [
        { metadata: { annotations: { "argocd.argoproj.io/hook": "PreSync" } }, spec: {} },
        /never cleaned up/,
      ],
    ],
    absentViolates: true,
  },
  "k8s-job-cleanup (CronJob)": {
    rule: "k8s-job-cleanup",
    type: "kubernetes:batch/v1:CronJob",
    good: { spec: { successfulJobsHistoryLimit: 3, jobTemplate: { spec: {} } } },
    bad: [
      [
        { spec: { jobTemplate: { spec: { ttlSecondsAfterFinished: 60 } } } },
        /races its history limits/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-no-removed-apis": {
    type: "kubernetes:extensions/v1beta1:Deployment",
    // every object of a removed API fails, whatever it holds
    good: null,
    bad: [[{}, /extensions\/v1beta1 was removed in Kubernetes 1.16\/1.22: use apps\/v1/]],
    absentViolates: true,
  },
  "k8s-network-policy-selects": {
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    good: { spec: { podSelector: {} } },
    bad: [[{ spec: { policyTypes: ["Ingress"] } }, /podSelector is not set/]],
    absentViolates: true,
  },
  "k8s-rbac-workload-control": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    good: {
      metadata: { name: "reader" },
      rules: [
        { apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "watch"] },
      ],
    },
    bad: [
      [
        { metadata: { name: "deployer" }, rules: [{ resources: ["pods"], verbs: ["create"] }] },
        /rules\[0\] may create workloads \(pods\)/,
      ],
      [
        { metadata: { name: "cm" }, rules: [{ resources: ["configmaps"], verbs: ["patch"] }] },
        /may patch configuration \(configmaps\)/,
      ],
      [
        {
          metadata: { name: "net" },
          rules: [{ resources: ["services", "networkpolicies"], verbs: ["delete"] }],
        },
        /may delete networking \(services, networkpolicies\)/,
      ],
    ],
    absentViolates: false,
    config: {
      config: { exemptRoles: ["argo-*"] },
      props: {
        metadata: { name: "argo-rollouts" },
        rules: [{ resources: ["pods"], verbs: ["delete"] }],
      },
      violates: false,
    },
  },
  "k8s-service-target-ports": {
    type: "kubernetes:core/v1:Service",
    good: {
      spec: {
        ports: [
          { port: 80, targetPort: "http" },
          { port: 81, targetPort: 8081 },
        ],
      },
    },
    bad: [
      [
        { spec: { ports: [{ port: 80, targetPort: "HTTP_port" }] } },
        /targetPort HTTP_port is not a valid port name/,
      ],
      [
        { spec: { ports: [{ port: 80, targetPort: "metrics-endpoint1" }] } },
        /not a valid port name/,
      ],
      [{ spec: { ports: [{ port: 80, targetPort: 70000 }] } }, /70000 is not a port number/],
    ],
    absentViolates: false,
  },
  "aws-iam-role-trust-not-public": {
    type: "aws:iam/role:Role",
    good: {
      assumeRolePolicy: JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "eks.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
    },
    bad: [
      [
        {
          assumeRolePolicy: {
            Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }],
          },
        },
        /anyone/,
      ],
      [
        {
          assumeRolePolicy: {
            Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sts:AssumeRole" }],
          },
        },
        /anyone/,
      ],
    ],
    absentViolates: false,
  },
  "aws-kms-key-described": {
    type: "aws:kms/key:Key",
    good: { description: "MLflow artifacts, mlops-prod" },
    bad: [
      [{ description: " " }, /no description/],
      [{ description: "key" }, /"key" is too short/],
    ],
    absentViolates: true,
  },
  "aws-kms-key-policy-safe": {
    type: "aws:kms/key:Key",
    good: { enableKeyRotation: true },
    bad: [
      [{ bypassPolicyLockoutSafetyCheck: true }, /lockout/i],
      [
        {
          policy: JSON.stringify({
            Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }],
          }),
        },
        /every principal/,
      ],
      // a list is not a valid Principal; a `*` in one is everyone all the same
      [
        { policy: { Statement: [{ Effect: "Allow", Principal: ["x", "*"], Action: "kms:*" }] } },
        /every principal/,
      ],
      // a trailing comma: AWS refuses the document, and the rule cannot pass what it cannot read
      [{ policy: '{"Statement": [{"Effect": "Allow"},]}' }, /not valid JSON/],
    ],
    absentViolates: false,
  },
  "aws-ec2-launch-template-hardened": {
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    good: {
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 100 } },
      ],
      networkInterfaces: [{ associatePublicIpAddress: "false" }],
      userData: Buffer.from("#!/bin/bash\n/etc/eks/bootstrap.sh mlops-prod\n").toString("base64"),
    },
    bad: [
      [
        { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 100 } }] },
        /not encrypted/,
      ],
      [{ networkInterfaces: [{ associatePublicIpAddress: "true" }] }, /public IP/],
      // AWS's documented example key id, base64 as launch templates carry userData.
      [
        {
          userData: Buffer.from("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n").toString(
            "base64",
          ),
        },
        /userData holds AWS credentials/,
      ],
      [{ userData: "aws_secret_access_key = abc" }, /userData holds AWS credentials/],
    ],
    absentViolates: false,
  },
  "aws-ec2-default-sg-closed": {
    type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    good: { vpcId: "vpc-1" },
    bad: [
      [
        { vpcId: "vpc-1", ingress: [{ protocol: "-1", self: true, fromPort: 0, toPort: 0 }] },
        /has rules/,
      ],
    ],
    absentViolates: false,
  },
  "aws-rds-encrypted": {
    type: RDS,
    good: { storageEncrypted: true, kmsKeyId: "arn:k" },
    bad: [[{ storageEncrypted: true }, /kmsKeyId/]],
    absentViolates: true,
    config: {
      config: { requireCustomerKey: false },
      props: { storageEncrypted: true },
      violates: false,
    },
  },
  "aws-rds-operations": {
    type: RDS,
    good: {
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: "arn:aws:kms:us-east-1:1:key/k",
      parameterGroupName: "mlops-prod-tracking-pg-1",
      caCertIdentifier: "rds-ca-rsa2048-g1",
    },
    bad: [
      [{ parameterGroupName: "pg-1" }, /logs are not exported/],
      [{ engine: "mysql", parameterGroupName: "pg-1" }, /no log is exported to CloudWatch/],
      [
        {
          enabledCloudwatchLogsExports: ["postgresql"],
          parameterGroupName: "pg",
          autoMinorVersionUpgrade: false,
        },
        /autoMinorVersionUpgrade/,
      ],
      [
        {
          enabledCloudwatchLogsExports: ["postgresql"],
          parameterGroupName: "pg",
          performanceInsightsEnabled: true,
        },
        /AWS-managed key/,
      ],
      [
        { enabledCloudwatchLogsExports: ["postgresql"], parameterGroupName: "default.postgres16" },
        /default parameter group/,
      ],
      [
        {
          enabledCloudwatchLogsExports: ["postgresql"],
          parameterGroupName: "pg",
          caCertIdentifier: "rds-ca-2019",
        },
        /rds-ca-2019 is not a current RDS CA/,
      ],
    ],
    absentViolates: true,
    config: {
      config: { requireIamAuthentication: true },
      props: { enabledCloudwatchLogsExports: ["postgresql"], parameterGroupName: "pg" },
      violates: true,
    },
  },
  "aws-rds-not-public": {
    type: RDS,
    good: { publiclyAccessible: false },
    bad: [[{ publiclyAccessible: true }, /publiclyAccessible/]],
    absentViolates: false,
  },
  "aws-rds-backups": {
    type: RDS,
    good: { backupRetentionPeriod: 7 },
    bad: [
      [{ backupRetentionPeriod: 1 }, /1 < 7/],
      [{ backupRetentionPeriod: 36 }, /36 is above RDS's maximum of 35/],
    ],
    absentViolates: true,
    config: {
      config: { minBackupRetentionDays: 14 },
      props: { backupRetentionPeriod: 7 },
      violates: true,
    },
  },
  "aws-rds-backups (a read replica)": {
    rule: "aws-rds-backups",
    type: RDS,
    // a PostgreSQL read replica keeps no automated backups; its source does
    good: { replicateSourceDb: "mlops-prod-tracking", backupRetentionPeriod: 0 },
    bad: [[{ backupRetentionPeriod: 0 }, /0 < 7/]],
    absentViolates: true,
  },
  "aws-rds-resilience": {
    type: RDS,
    good: { multiAz: false, deletionProtection: true, skipFinalSnapshot: false },
    bad: [
      [{ deletionProtection: false, skipFinalSnapshot: false }, /deletionProtection is not true/],
      [{ deletionProtection: true, skipFinalSnapshot: true }, /skipFinalSnapshot is not false/],
    ],
    // RDS defaults: deletion protection off, final snapshot skipped.
    absentViolates: true,
    config: {
      config: { requireHighAvailability: true },
      props: { multiAz: false, deletionProtection: true, skipFinalSnapshot: false },
      violates: true,
    },
  },
  "aws-rds-managed-password": {
    type: RDS,
    good: { manageMasterUserPassword: true },
    bad: [[{ password: "short" }, /16\+/]],
    absentViolates: true,
  },
  "aws-s3-public-access-block": {
    type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    good: {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    bad: [
      [
        { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true },
        /restrictPublicBuckets/,
      ],
    ],
    absentViolates: true,
  },
  "aws-s3-ownership-enforced": {
    type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    good: { rule: { objectOwnership: "BucketOwnerEnforced" } },
    bad: [[{ rule: { objectOwnership: "ObjectWriter" } }, /ObjectWriter/]],
    absentViolates: true,
  },
  "aws-s3-versioning": {
    type: "aws:s3/bucketVersioning:BucketVersioning",
    good: { versioningConfiguration: { status: "Enabled" } },
    bad: [[{ versioningConfiguration: { status: "Suspended" } }, /not Enabled/]],
    absentViolates: true,
  },
  "aws-s3-versioning (inline block on the bucket)": {
    rule: "aws-s3-versioning",
    type: "aws:s3/bucket:Bucket",
    good: { versioning: { enabled: true } },
    bad: [[{ versioning: { enabled: false } }, /inline versioning.enabled is not true/]],
    // Without the block the bucket is judged by its BucketVersioning (aws-s3-bucket-companions).
    absentViolates: false,
  },
  "aws-s3-sse-kms": {
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    good: {
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
          bucketKeyEnabled: true,
        },
      ],
    },
    bad: [
      [
        { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        /the default encryption is not SSE-KMS/,
      ],
      [
        {
          rules: [
            {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
            },
          ],
        },
        /SSE-KMS without bucketKeyEnabled/,
      ],
      [
        {
          rules: [
            {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
              bucketKeyEnabled: true,
            },
          ],
        },
        /the AWS-managed aws\/s3 key/,
      ],
    ],
    absentViolates: true,
  },
  "aws-s3-tls-only": {
    type: "aws:s3/bucketPolicy:BucketPolicy",
    good: {
      policy: JSON.stringify({
        Statement: [
          {
            Effect: "Deny",
            Action: "s3:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    bad: [
      [
        { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] }) },
        /SecureTransport/,
      ],
    ],
    absentViolates: true,
  },
  "aws-rds-force-ssl": {
    type: "aws:rds/parameterGroup:ParameterGroup",
    good: { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1" }] },
    bad: [
      [{ family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "0" }] }, /force_ssl/],
      [
        { family: "postgres15", parameters: [{ name: "log_connections", value: "1" }] },
        /force_ssl/,
      ],
    ],
    absentViolates: false,
  },
  "aws-rds-postgres-log-parameters": {
    type: "aws:rds/parameterGroup:ParameterGroup",
    good: {
      family: "postgres16",
      parameters: [
        ...["log_connections", "log_disconnections", "log_lock_waits"].map((name) => ({
          name,
          value: "1",
        })),
        { name: "log_temp_files", value: "0" },
        { name: "log_statement", value: "ddl" },
        { name: "log_min_duration_statement", value: "-1" },
      ],
    },
    bad: [
      [{ family: "postgres16", parameters: [] }, /flags not on: log_connections/],
      [
        {
          family: "postgres16",
          parameters: [{ name: "log_min_duration_statement", value: "250" }],
        },
        /log_min_duration_statement is 250, not -1/,
      ],
      [
        {
          family: "aurora-postgresql16",
          parameters: [{ name: "log_statement", value: "none" }],
        },
        /log_statement is not ddl/,
      ],
    ],
    absentViolates: false,
    config: {
      config: { requiredParameters: ["log_connections", "log_checkpoints"] },
      props: {
        family: "postgres16",
        parameters: [
          { name: "log_connections", value: "on" },
          { name: "log_disconnections", value: "1" },
          { name: "log_lock_waits", value: "1" },
          { name: "log_temp_files", value: "0" },
          { name: "log_statement", value: "mod" },
        ],
      },
      violates: true,
    },
  },
  "aws-rds-postgres-log-parameters (Aurora cluster parameter group)": {
    rule: "aws-rds-postgres-log-parameters",
    type: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    good: { family: "mysql8.0", parameters: [] },
    bad: [[{ family: "aurora-postgresql16", parameters: [] }, /log_temp_files is not 0/]],
    absentViolates: false,
  },
  "database-postgres-supported-major": {
    type: RDS,
    good: { engine: "postgres", engineVersion: "16.4" },
    bad: [
      [{ engine: "postgres", engineVersion: "13.2" }, /PostgreSQL 13 is older than 15/],
      [{ engine: "aurora-postgresql", engineVersion: "14" }, /PostgreSQL 14 is older than 15/],
    ],
    absentViolates: false,
    config: {
      config: { minimumMajorVersion: 17 },
      props: { engine: "postgres", engineVersion: "16" },
      violates: true,
    },
  },
  "database-postgres-supported-major (Cloud SQL)": {
    rule: "database-postgres-supported-major",
    type: SQL,
    good: { databaseVersion: "POSTGRES_17" },
    bad: [[{ databaseVersion: "POSTGRES_14" }, /PostgreSQL 14 is older/]],
    absentViolates: false,
  },
  "database-postgres-supported-major (Aurora cluster)": {
    rule: "database-postgres-supported-major",
    type: "aws:rds/cluster:Cluster",
    good: { engine: "aurora-mysql", engineVersion: "5.7" },
    bad: [[{ engine: "aurora-postgresql", engineVersion: "11.9" }, /PostgreSQL 11/]],
    absentViolates: false,
  },
  "k8s-rbac-no-escalation": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    good: {
      rules: [
        { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["argoproj.io"], resources: ["rollouts"], verbs: ["get", "patch"] },
      ],
    },
    bad: [
      [{ rules: [{ resources: ["clusterroles"], verbs: ["bind"] }] }, /grants bind/],
      [{ rules: [{ resources: ["roles"], verbs: ["escalate"] }] }, /grants escalate/],
      [{ rules: [{ resources: ["groups"], verbs: ["impersonate"] }] }, /grants impersonate/],
      [{ rules: [{ resources: ["rolebindings"], verbs: ["*"] }] }, /every verb on RBAC objects/],
      [
        { rules: [{ resources: ["mutatingwebhookconfigurations"], verbs: ["patch"] }] },
        /may change mutatingwebhookconfigurations/,
      ],
      [
        { rules: [{ resources: ["certificatesigningrequests/approval"], verbs: ["update"] }] },
        /approve certificate signing requests/,
      ],
      [{ rules: [{ resources: ["nodes/proxy"], verbs: ["get"] }] }, /kubelet API/],
      [{ rules: [{ resources: ["pods/exec"], verbs: ["create"] }] }, /may exec into pods/],
      [{ rules: [{ resources: ["pods/attach"], verbs: ["create"] }] }, /may attach into pods/],
      [{ rules: [{ resources: ["secrets"], verbs: ["list"] }] }, /Secrets in every namespace/],
    ],
    absentViolates: false,
  },
  "k8s-rbac-no-escalation (namespaced Role)": {
    rule: "k8s-rbac-no-escalation",
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    // A namespaced Role may read its own namespace's Secrets (trivy AVD-KSV-0113 not adopted).
    good: { rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }] },
    bad: [[{ rules: [{ resources: ["pods/exec"], verbs: ["create"] }] }, /exec into pods/]],
    absentViolates: false,
  },
  "gcp-vpc-subnetworks": {
    type: "gcp:compute/subnetwork:Subnetwork",
    good: { privateIpGoogleAccess: true, logConfig: { aggregationInterval: "INTERVAL_5_SEC" } },
    bad: [
      [{ privateIpGoogleAccess: false }, /privateIpGoogleAccess is not true/],
      [
        {
          privateIpGoogleAccess: true,
          stackType: "IPV4_IPV6",
          privateIpv6GoogleAccess: "DISABLE_GOOGLE_ACCESS",
        },
        /privateIpv6GoogleAccess is off on a dual-stack subnetwork/,
      ],
    ],
    // The provider's default: Private Google Access off.
    absentViolates: true,
    config: {
      config: { requireFlowLogs: true },
      props: { privateIpGoogleAccess: true },
      violates: true,
    },
  },
  "gcp-vpc-subnetworks (dual stack)": {
    rule: "gcp-vpc-subnetworks",
    type: "gcp:compute/subnetwork:Subnetwork",
    good: {
      privateIpGoogleAccess: true,
      stackType: "IPV4_IPV6",
      privateIpv6GoogleAccess: "ENABLE_OUTBOUND_VM_ACCESS_TO_GOOGLE",
    },
    bad: [[{ privateIpGoogleAccess: true, stackType: "IPV4_IPV6" }, /privateIpv6GoogleAccess/]],
    absentViolates: true,
  },
  "gcp-vpc-custom-mode": {
    type: "gcp:compute/network:Network",
    good: { autoCreateSubnetworks: false },
    bad: [[{ autoCreateSubnetworks: true }, /auto mode/]],
    // The provider's default: auto mode.
    absentViolates: true,
  },
  "gcp-vpc-subnetworks (proxy-only subnets)": {
    rule: "gcp-vpc-subnetworks",
    type: "gcp:compute/subnetwork:Subnetwork",
    // A proxy-only subnet carries no VM traffic: nothing to require.
    good: { purpose: "REGIONAL_MANAGED_PROXY", role: "ACTIVE" },
    bad: [[{ purpose: "PRIVATE" }, /privateIpGoogleAccess/]],
    absentViolates: true,
  },
  "k8s-configmap-no-secrets": {
    type: "kubernetes:core/v1:ConfigMap",
    good: {
      data: {
        "golden.json": '{"inputs": [[1, 2]], "expected": [0.3]}',
        "app.env": "REDIS_PASSWORD=\nAPI_TOKEN=${API_TOKEN}\nLOG_LEVEL=info",
      },
    },
    bad: [
      [{ data: { password: "hunter2" } }, /key password names a credential/],
      [{ data: { "app.env": "DB_PASSWORD=abcd1234" } }, /credential-like line/],
      [{ data: { "cfg.yaml": "clientSecret: s3cr3t" } }, /credential-like line/],
      [{ data: { AZURE_BATCH_KEY: "abc" } }, /key AZURE_BATCH_KEY names a credential/],
      [
        { data: { "tls.key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n" } },
        /key tls.key holds a private key/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-workload-wiring": {
    type: DEP,
    good: {
      ...deployment(
        {},
        {
          ports: [{ name: "http", containerPort: 5000 }],
          readinessProbe: { httpGet: { path: "/health", port: "http" } },
          livenessProbe: { tcpSocket: { port: 5000 } },
          env: [{ name: "A", value: "1" }],
        },
      ),
      spec: {
        ...deployment().spec,
        selector: { matchLabels: { app: "a" } },
        template: {
          ...deployment().spec.template,
          spec: {
            ...deployment(
              {},
              {
                ports: [{ name: "http", containerPort: 5000 }],
                readinessProbe: { httpGet: { path: "/health", port: "http" } },
              },
            ).spec.template.spec,
          },
        },
      },
    },
    bad: [
      [
        {
          ...deployment(),
          spec: { ...deployment().spec, selector: { matchLabels: { app: "b" } } },
        },
        /selector app=b does not match/,
      ],
      [
        deployment(
          {},
          {
            env: [
              { name: "A", value: "1" },
              { name: "A", value: "2" },
            ],
          },
        ),
        /env A is set more than once/,
      ],
      [
        deployment({}, { livenessProbe: { httpGet: { path: "/", port: "metrics" } } }),
        /livenessProbe uses port metrics/,
      ],
      [deployment({ serviceAccount: "old" }), /deprecated spec.serviceAccount/],
      [deployment({}, { ports: [{ containerPort: 22 }] }), /port 22 \(SSH\)/],
    ],
    absentViolates: false,
  },
  "aws-vpc-subnet-no-auto-public-ip": {
    type: "aws:ec2/subnet:Subnet",
    good: { mapPublicIpOnLaunch: false },
    bad: [[{ mapPublicIpOnLaunch: true }, /mapPublicIpOnLaunch is true/]],
    // The provider's default is false.
    absentViolates: false,
  },
  "aws-ec2-security-group-described": {
    type: "aws:ec2/securityGroup:SecurityGroup",
    good: {
      description: "GitHub Actions runner: HTTPS out only",
      egress: [{ description: "GitHub and AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443 }],
    },
    bad: [
      [{ description: "Managed by Pulumi" }, /no description of its own/],
      [{ description: "" }, /no description of its own/],
      [
        { description: "nodes", ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443 }] },
        /ingress\[0\] has no description/,
      ],
    ],
    // The provider fills in "Managed by Pulumi" when the description is absent.
    absentViolates: true,
  },
  "aws-ec2-security-group-described (rule resources)": {
    rule: "aws-ec2-security-group-described",
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    good: { description: "Kubernetes API from the CI runner", fromPort: 443, toPort: 443 },
    bad: [[{ description: " " }, /the rule has no description/]],
    absentViolates: true,
  },
  "aws-cloudwatch-log-group": {
    type: "aws:cloudwatch/logGroup:LogGroup",
    good: { retentionInDays: 90 },
    bad: [[{ retentionInDays: 0 }, /never expire/]],
    absentViolates: true,
    config: {
      config: { requireCustomerKey: true },
      props: { retentionInDays: 90 },
      violates: true,
    },
  },
  "aws-codebuild-project-hardened": {
    type: "aws:codebuild/project:Project",
    good: {
      artifacts: { type: "NO_ARTIFACTS" },
      environment: { type: "LINUX_CONTAINER", computeType: "BUILD_GENERAL1_SMALL" },
      logsConfig: { cloudwatchLogs: { status: "ENABLED" } },
    },
    bad: [
      [{ environment: { privilegedMode: true } }, /privilegedMode is true/],
      [{ artifacts: { type: "NO_ARTIFACTS" } }, /logsConfig is not set/],
      [{ logsConfig: { cloudwatchLogs: { status: "DISABLED" } } }, /build logs are switched off/],
      [
        {
          logsConfig: { s3Logs: { status: "ENABLED", location: "b/l", encryptionDisabled: true } },
        },
        /s3Logs.encryptionDisabled is true/,
      ],
      [{ artifacts: { type: "S3", encryptionDisabled: true } }, /artifact encryption is disabled/],
      [
        { secondaryArtifacts: [{ type: "S3", encryptionDisabled: true }] },
        /artifact encryption is disabled/,
      ],
    ],
    // CodeBuild's default logs go to a group it creates, without retention.
    absentViolates: true,
    config: {
      config: { requireCustomerKey: true },
      props: {
        logsConfig: { cloudwatchLogs: { groupName: "/aws/codebuild/ci", status: "ENABLED" } },
      },
      violates: true,
    },
  },
  "aws-kms-key-rotation": {
    type: "aws:kms/key:Key",
    good: { enableKeyRotation: true },
    bad: [
      [{ enableKeyRotation: false }, /enableKeyRotation/],
      [{ keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false }, /enableKeyRotation/],
    ],
    absentViolates: true,
  },
  "aws-eks-addon-pinned": {
    type: "aws:eks/addon:Addon",
    good: { addonName: "coredns", addonVersion: "v1.12.4-eksbuild.29" },
    bad: [
      [{ addonName: "coredns" }, /coredns has no exact addonVersion/],
      [{ addonName: "vpc-cni", addonVersion: "latest" }, /vpc-cni/],
    ],
    absentViolates: true,
  },
  "k8s-storageclass-encrypted": {
    type: "kubernetes:storage.k8s.io/v1:StorageClass",
    good: { provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true" } },
    bad: [
      [{ provisioner: "ebs.csi.aws.com", parameters: { type: "gp3" } }, /not encrypted/],
      [
        { provisioner: "kubernetes.io/aws-ebs", parameters: { encrypted: "false" } },
        /not encrypted/,
      ],
    ],
    absentViolates: false,
  },
  "aws-ec2-no-ssh-from-anywhere": {
    type: "aws:ec2/securityGroup:SecurityGroup",
    good: { ingress: [{ fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] },
    bad: [
      [{ ingress: [{ fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }] }, /every port/],
      [
        { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
        /SSH/,
      ],
      [
        { ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ["::/0"] }] },
        /RDP/,
      ],
      // 0-0 and -1..-1 are read as every port (checkov's reading)
      [
        { ingress: [{ protocol: "tcp", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] },
        /every port/,
      ],
      [
        { ingress: [{ protocol: "tcp", fromPort: -1, toPort: -1, cidrBlocks: ["0.0.0.0/0"] }] },
        /every port/,
      ],
      // Protocol -1 opens every port whatever fromPort/toPort say.
      [
        { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] },
        /all traffic/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-pod-baseline-extras": {
    type: DEP,
    good: deployment({
      securityContext: {
        sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }],
        fsGroup: 1001,
        seLinuxOptions: { type: "container_t", level: "s0:c123,c456" },
      },
      volumes: [
        { name: "tmp", emptyDir: {} },
        { name: "token", projected: { sources: [] } },
        { name: "data", persistentVolumeClaim: { claimName: "d" } },
      ],
    }),
    bad: [
      [deployment({}, { ports: [{ containerPort: 80, hostPort: 80 }] }), /hostPort 80/],
      [
        deployment(
          {},
          { securityContext: { ...goodContainer.securityContext, procMount: "Other" } },
        ),
        /procMount is Other, not Default/,
      ],
      [
        deployment({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } }),
        /kernel.msgmax/,
      ],
      [deployment({ securityContext: { runAsGroup: 0 } }), /root group/],
      [deployment({ securityContext: { fsGroup: 0 } }), /fsGroup is 0/],
      [deployment({ securityContext: { supplementalGroups: [1001, 0] } }), /supplementalGroups/],
      [deployment({ securityContext: { runAsUser: 0 } }), /pod: runAsUser is 0/],
      [
        deployment({ securityContext: { seLinuxOptions: { type: "spc_t" } } }),
        /seLinuxOptions.type spc_t/,
      ],
      [
        deployment({ securityContext: { seLinuxOptions: { user: "system_u" } } }),
        /sets a user or role/,
      ],
      [
        deployment(
          {},
          {
            securityContext: {
              ...goodContainer.securityContext,
              windowsOptions: { hostProcess: true },
            },
          },
        ),
        /Windows HostProcess/,
      ],
      [
        deployment({ volumes: [{ name: "share", nfs: { server: "10.0.0.2", path: "/" } }] }),
        /share is a nfs volume/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-pod-read-only-root": {
    type: DEP,
    good: deployment(
      {},
      { securityContext: { ...goodContainer.securityContext, readOnlyRootFilesystem: true } },
    ),
    bad: [[deployment(), /readOnlyRootFilesystem is not true/]],
    absentViolates: false,
    config: {
      config: { requireReadOnlyRootFilesystem: false },
      props: deployment(),
      violates: false,
    },
  },
  "k8s-pod-service-account-token": {
    type: DEP,
    good: deployment({ automountServiceAccountToken: false }),
    bad: [[deployment(), /default ServiceAccount/]],
    absentViolates: false,
  },
  "k8s-no-naked-pods": {
    type: "kubernetes:core/v1:Pod",
    good: {
      metadata: {
        ownerReferences: [
          { apiVersion: "batch/v1", kind: "Job", name: "j", uid: "u", controller: true },
        ],
      },
      spec: { containers: [goodContainer] },
    },
    bad: [[{ spec: { containers: [goodContainer] } }, /no controller/]],
    absentViolates: true,
  },
  "k8s-pdb-allows-disruption": {
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    good: { spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" } },
    bad: [
      [
        { spec: { maxUnavailable: 0, unhealthyPodEvictionPolicy: "AlwaysAllow" } },
        /maxUnavailable is 0/,
      ],
      [{ spec: { minAvailable: 1 } }, /unhealthyPodEvictionPolicy is not set/],
    ],
    // Kubernetes' default (IfHealthyBudget) lets an unready pod block a drain.
    absentViolates: true,
  },
  "k8s-namespace-pod-security": {
    type: "kubernetes:core/v1:Namespace",
    good: {
      metadata: { name: "models", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    },
    bad: [
      [{ metadata: { name: "x" } }, /no pod-security/],
      [
        { metadata: { name: "x", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
        /weaker than baseline/,
      ],
    ],
    absentViolates: true,
    config: {
      config: { minimumLevel: "restricted" },
      props: {
        metadata: { name: "argocd", labels: { "pod-security.kubernetes.io/enforce": "baseline" } },
      },
      violates: true,
    },
  },
  "k8s-rbac-no-cluster-admin": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    good: {
      roleRef: { kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "Group", name: "sre" }],
    },
    bad: [
      [{ roleRef: { kind: "ClusterRole", name: "cluster-admin" } }, /cluster-admin/],
      [
        {
          roleRef: { kind: "ClusterRole", name: "view" },
          subjects: [{ kind: "Group", name: "system:masters" }],
        },
        /system:masters/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-rbac-no-wildcards": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    good: { rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] },
    bad: [
      [{ rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }] }, /every verb/],
      [{ rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }] }, /every resource/],
    ],
    absentViolates: false,
  },
  "k8s-rbac-no-broad-subjects": {
    type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    good: {
      roleRef: { name: "secret-reader" },
      subjects: [{ kind: "ServiceAccount", name: "mlflow" }],
    },
    bad: [
      [
        {
          roleRef: { name: "secret-reader" },
          subjects: [{ kind: "Group", name: "system:authenticated" }],
        },
        /system:authenticated/,
      ],
      [
        {
          roleRef: { name: "view" },
          subjects: [{ kind: "Group", name: "system:serviceaccounts" }],
        },
        /system:serviceaccounts/,
      ],
    ],
    absentViolates: false,
  },
  "argo-appproject-restricted": {
    type: "kubernetes:argoproj.io/v1alpha1:AppProject",
    good: {
      metadata: { name: "ml-models" },
      spec: {
        sourceRepos: ["https://github.com/acme/ml-deployments.git"],
        destinations: [{ server: "https://kubernetes.default.svc", namespace: "models" }],
        clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
      },
    },
    bad: [
      [{ metadata: { name: "team" }, spec: { sourceRepos: ["*"] } }, /any repository/],
      [{ spec: { destinations: [{ server: "*", namespace: "*" }] } }, /wildcard/],
      [
        { spec: { clusterResourceWhitelist: [{ group: "*", kind: "*" }] } },
        /every cluster-scoped kind/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-pod-no-privileged": {
    type: DEP,
    good: deployment(),
    bad: [
      [deployment({}, { securityContext: { privileged: true } }), /privileged/],
      [deployment({}, { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }), /SYS_ADMIN/],
    ],
    absentViolates: false,
  },
  "k8s-pod-no-host-namespaces": {
    type: DEP,
    good: deployment(),
    bad: [
      [deployment({ hostNetwork: true }), /hostNetwork/],
      [deployment({ hostPID: true }), /hostPID/],
    ],
    absentViolates: false,
  },
  "k8s-pod-no-hostpath": {
    type: ROLLOUT,
    good: deployment(),
    bad: [[deployment({ volumes: [{ name: "h", hostPath: { path: "/" } }] }), /hostPath/]],
    absentViolates: false,
  },
  "k8s-pod-restricted-security-context": {
    type: "kubernetes:apps/v1:StatefulSet",
    good: deployment(),
    bad: [
      [
        deployment(
          {},
          {
            securityContext: {
              runAsNonRoot: true,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
          },
        ),
        /allowPrivilegeEscalation/,
      ],
    ],
    absentViolates: false,
  },
  "k8s-pod-resources": {
    type: "kubernetes:batch/v1:Job",
    good: deployment(),
    bad: [[deployment({}, { resources: { requests: { cpu: "1" } } }), /limits.memory/]],
    absentViolates: false,
  },
  "k8s-pod-gpu-requests": {
    type: DEP,
    good: deployment(
      { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }] },
      { resources: { limits: { "nvidia.com/gpu": 1 } } },
    ),
    bad: [
      [
        deployment(
          { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }] },
          { resources: { requests: { "nvidia.com/gpu": 1 }, limits: { "nvidia.com/gpu": 2 } } },
        ),
        /!= limit/,
      ],
      [deployment({}, { resources: { limits: { "nvidia.com/gpu": 1 } } }), /tolerate/],
    ],
    absentViolates: false,
    config: {
      config: { gpuTaintKey: "gpu" },
      props: deployment(
        { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" }] },
        { resources: { limits: { "nvidia.com/gpu": 1 } } },
      ),
      violates: true,
    },
  },
  "k8s-pod-pinned-images": {
    type: "kubernetes:apps/v1:DaemonSet",
    good: deployment({}, { image: "repo/app@sha256:" + "a".repeat(64) }),
    bad: [
      [deployment({}, { image: "repo/app:latest" }), /not pinned/],
      [deployment({}, { image: "registry:5000/app" }), /not pinned/],
    ],
    absentViolates: false,
  },
  "k8s-server-probes": {
    type: DEP,
    good: deployment(),
    bad: [[deployment({}, { readinessProbe: undefined }), /readinessProbe/]],
    absentViolates: false,
  },
  "k8s-no-default-namespace": {
    type: "kubernetes:core/v1:Service",
    good: { metadata: { namespace: "models" } },
    bad: [[{ metadata: { namespace: "default" } }, /default/]],
    absentViolates: true,
  },
  "k8s-service-not-public": {
    type: "kubernetes:core/v1:Service",
    good: {
      spec: { type: "LoadBalancer" },
      metadata: { annotations: { "networking.gke.io/load-balancer-type": "Internal" } },
    },
    bad: [
      [{ spec: { type: "LoadBalancer" } }, /public LoadBalancer/],
      [{ spec: { type: "NodePort" } }, /NodePort/],
      [{ spec: { type: "ClusterIP", externalIPs: ["203.0.113.9"] } }, /externalIPs/],
    ],
    absentViolates: false,
    config: {
      config: { allowPublicLoadBalancers: true },
      props: { spec: { type: "LoadBalancer" } },
      violates: false,
    },
  },
  "helm-release-pinned-version": {
    type: REL,
    good: { chart: "argo-cd", version: "9.1.0" },
    bad: [[{ chart: "argo-cd", version: "^9.0.0" }, /not an exact version/]],
    absentViolates: true,
  },
  "helm-release-allowed-repo": {
    type: REL,
    good: { chart: "argo-cd", repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" } },
    bad: [[{ chart: "x", repositoryOpts: { repo: "https://charts.example.com" } }, /not allowed/]],
    absentViolates: true,
    config: {
      config: { allowedRepos: ["https://charts.example.com"] },
      props: { chart: "x", repositoryOpts: { repo: "https://charts.example.com" } },
      violates: false,
    },
  },
  "argo-application-project-not-default": {
    type: APP,
    good: { spec: { project: "ml-models" } },
    bad: [[{ spec: { project: "default" } }, /default/]],
    absentViolates: true,
  },
  "argo-application-pinned-revision": {
    type: APP,
    good: { spec: { source: { targetRevision: "main" } } },
    bad: [],
    absentViolates: false,
    config: {
      config: { requirePinnedRevision: true },
      props: { spec: { source: { targetRevision: "main" } } },
      violates: true,
    },
  },
  "argo-application-explicit-sync-policy": {
    type: APP,
    good: { spec: { syncPolicy: { automated: { prune: true }, retry: { limit: 5 } } } },
    bad: [[{ spec: { syncPolicy: { automated: {} } } }, /retry/]],
    absentViolates: true,
  },
  "argo-rollout-canary-analysis": {
    type: ROLLOUT,
    good: {
      spec: {
        strategy: {
          // An analysis step waits as a pause does (staging: 50% then the golden comparison).
          canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [] } }] },
        },
      },
    },
    bad: [
      [
        { spec: { strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }] } } } },
        /no analysis/,
      ],
      [
        { spec: { strategy: { canary: { analysis: {}, steps: [{ setWeight: 10 }] } } } },
        /never waits between steps/,
      ],
    ],
    absentViolates: false,
  },
  "cost-required-labels": {
    type: GCS,
    good: { labels: { team: "t", "cost-center": "c", environment: "dev", "managed-by": "pulumi" } },
    bad: [[{ labels: { team: "t" } }, /cost-center/]],
    absentViolates: true,
    config: {
      config: { requiredLabels: ["team"] },
      props: { labels: { team: "t" } },
      violates: false,
    },
  },
  "cost-gpu-allowed-types": {
    type: NP,
    good: gpuPool(),
    bad: [
      [
        gpuPool({ nodeConfig: { guestAccelerators: [{ type: "nvidia-h100-80gb", count: 8 }] } }),
        /not allowed/,
      ],
    ],
    absentViolates: false,
    config: { config: { allowedGpuTypes: ["nvidia-tesla-t4"] }, props: gpuPool(), violates: true },
  },
  "cost-gpu-spot-scale-to-zero": {
    type: NP,
    good: gpuPool(),
    bad: [],
    absentViolates: false,
    config: {
      config: { requireSpotAndScaleToZero: true },
      props: gpuPool({ autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 2 } }),
      violates: true,
    },
  },
  "cost-db-size-allowed": {
    type: RDS,
    good: { instanceClass: "db.t4g.medium" },
    bad: [[{ instanceClass: "db.r7g.16xlarge" }, /not allowed/]],
    absentViolates: false,
    config: {
      config: { allowedSizes: ["db.r7g.16xlarge"] },
      props: { instanceClass: "db.r7g.16xlarge" },
      violates: false,
    },
  },
  "cost-bucket-versions-capped": {
    type: GCS,
    good: {
      versioning: { enabled: true },
      lifecycleRules: [{ action: { type: "Delete" }, condition: { numNewerVersions: 11 } }],
    },
    bad: [
      [{ versioning: { enabled: true } }, /caps noncurrent/],
      [
        {
          versioning: { enabled: true },
          // GCS counts the live version: 51 newer keeps 50 noncurrent.
          lifecycleRules: [{ action: { type: "Delete" }, condition: { numNewerVersions: 51 } }],
        },
        /keeps 50 versions/,
      ],
    ],
    absentViolates: false,
    config: {
      config: { maxNoncurrentVersions: 5 },
      props: {
        versioning: { enabled: true },
        lifecycleRules: [{ action: { type: "Delete" }, condition: { numNewerVersions: 10 } }],
      },
      violates: true,
    },
  },
  "cost-bucket-versions-capped (S3 lifecycle)": {
    rule: "cost-bucket-versions-capped",
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    good: {
      rules: [
        {
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { newerNoncurrentVersions: 10, noncurrentDays: 1 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    bad: [
      [
        {
          rules: [
            {
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { newerNoncurrentVersions: 10 },
            },
          ],
        },
        /no bucket-wide rule aborts incomplete multipart uploads/,
      ],
      [
        {
          rules: [
            {
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { newerNoncurrentVersions: 10 },
            },
            {
              status: "Enabled",
              filter: { prefix: "tmp/" },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
          ],
        },
        /no bucket-wide rule aborts/,
      ],
    ],
    absentViolates: true,
  },
};

interface StackCase {
  /** The rule, when the key names a second form of it ("<rule> (<form>)"). */
  rule?: string;
  good: StackItem[];
  bad: StackItem[];
  message: RegExp;
  config?: Record<string, unknown>;
}

const pdb = {
  type: "kubernetes:policy/v1:PodDisruptionBudget",
  props: { metadata: { namespace: "models" }, spec: { selector: { matchLabels: { app: "a" } } } },
};
const STACK_CASES: Record<string, StackCase> = {
  "k8s-namespace-network-policy": {
    config: {},
    good: [
      { type: DEP, props: deployment() },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        props: {
          metadata: { namespace: "models" },
          spec: {
            podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["a", "b"] }] },
          },
        },
      },
    ],
    bad: [
      { type: DEP, props: deployment() },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        props: { metadata: { namespace: "mlflow" }, spec: { podSelector: {} } },
      },
    ],
    message: /namespace models runs .* with no NetworkPolicy/,
  },
  "k8s-namespace-network-policy (a policy that selects other pods)": {
    rule: "k8s-namespace-network-policy",
    config: {},
    good: [
      { type: DEP, props: deployment() },
      // {} selects every pod of the namespace
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        props: { metadata: { namespace: "models" }, spec: { podSelector: {} } },
      },
    ],
    bad: [
      { type: DEP, props: deployment() },
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        props: {
          metadata: { namespace: "models" },
          spec: { podSelector: { matchLabels: { app: "other" } } },
        },
      },
    ],
    message: /no NetworkPolicy selects the pods of .* \(namespace models\)/,
  },
  "k8s-pdb-min-below-replicas": {
    good: [
      { type: DEP, props: deployment() },
      { ...pdb, props: { ...pdb.props, spec: { ...pdb.props.spec, minAvailable: 1 } } },
    ],
    bad: [
      { type: DEP, props: deployment() },
      { ...pdb, props: { ...pdb.props, spec: { ...pdb.props.spec, minAvailable: "2" } } },
    ],
    message: /minAvailable 2 asks for 2 of .*'s 2 replica\(s\): no pod can be evicted/,
  },
  "k8s-pdb-min-below-replicas (an autoscaled server, a percentage)": {
    rule: "k8s-pdb-min-below-replicas",
    good: [
      {
        type: DEP,
        name: "app",
        props: { ...deployment(), metadata: { name: "app", namespace: "models" } },
      },
      { ...pdb, props: { ...pdb.props, spec: { ...pdb.props.spec, minAvailable: "50%" } } },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "app-hpa",
        props: {
          metadata: { namespace: "models" },
          spec: {
            scaleTargetRef: { kind: "Deployment", name: "app" },
            minReplicas: 4,
            maxReplicas: 8,
          },
        },
      },
    ],
    bad: [
      // 2 replicas declared, but the HPA may take it down to 1, and 50% of 1 rounds up to 1
      {
        type: DEP,
        name: "app",
        props: { ...deployment(), metadata: { name: "app", namespace: "models" } },
      },
      { ...pdb, props: { ...pdb.props, spec: { ...pdb.props.spec, minAvailable: "50%" } } },
      {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        name: "app-hpa",
        props: {
          metadata: { namespace: "models" },
          spec: { scaleTargetRef: { kind: "Deployment", name: "app" }, maxReplicas: 8 },
        },
      },
    ],
    message: /minAvailable 50% asks for 1 of app's 1 replica\(s\) \(the floor of app-hpa\)/,
  },
  "aws-s3-bucket-companions": {
    config: { requireAccessLogging: true },
    good: [
      { type: "aws:s3/bucket:Bucket", props: { bucket: "mlops-prod-artifacts" } },
      {
        type: "aws:s3/bucketVersioning:BucketVersioning",
        props: { bucket: "mlops-prod-artifacts" },
      },
      {
        type: "aws:s3/bucketLogging:BucketLogging",
        props: { bucket: "mlops-prod-artifacts", targetBucket: "mlops-prod-access-logs" },
      },
      {
        type: "aws:s3/bucketVersioning:BucketVersioning",
        props: { bucket: "mlops-prod-access-logs" },
      },
      {
        type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        props: { bucket: "mlops-prod-artifacts" },
      },
      {
        type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        props: { bucket: "mlops-prod-access-logs" },
      },
      {
        type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        props: { bucket: "mlops-prod-artifacts" },
      },
      {
        type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        props: { bucket: "mlops-prod-artifacts" },
      },
      // The deprecated inline form counts too.
      {
        type: "aws:s3/bucket:Bucket",
        props: {
          bucket: "mlops-prod-access-logs",
          lifecycleRules: [{ enabled: true, expiration: { days: 90 } }],
          serverSideEncryptionConfiguration: {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          },
        },
      },
    ],
    bad: [{ type: "aws:s3/bucket:Bucket", props: { bucket: "mlops-prod-artifacts" } }],
    message:
      /no BucketVersioning.*no BucketPublicAccessBlock.*no default encryption configuration.*no lifecycle configuration.*no server access logging/,
  },
  "k8s-server-replicas-pdb": {
    config: { requireHighAvailability: true, minReplicas: 2 },
    good: [{ type: DEP, props: spread() }, pdb],
    bad: [{ type: DEP, props: spread() }],
    message: /no PodDisruptionBudget/,
  },
  "k8s-server-replicas-pdb (spread and rollout)": {
    rule: "k8s-server-replicas-pdb",
    config: { requireHighAvailability: true, minReplicas: 2 },
    good: [
      {
        type: DEP,
        props: deployment({
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        }),
      },
      pdb,
    ],
    bad: [
      {
        type: DEP,
        props: {
          ...deployment(),
          spec: { ...deployment().spec, strategy: { type: "Recreate" } },
        },
      },
      pdb,
    ],
    message: /no pod anti-affinity or topology spread.*update strategy Recreate/,
  },
  "cost-gpu-budget": {
    config: { maxGpus: 4 },
    good: [
      { type: NP, props: gpuPool() },
      { type: NG, props: { instanceTypes: ["g6.2xlarge"], scalingConfig: { maxSize: 2 } } },
    ],
    bad: [
      {
        type: NP,
        props: gpuPool({
          autoscaling: { totalMaxNodeCount: 3 },
          nodeConfig: { guestAccelerators: [{ type: "nvidia-l4", count: 2 }] },
        }),
      },
    ],
    message: /scale to 6 GPUs.*budget is 4/,
  },
  "aws-vpc-flow-logs": {
    config: { requireFlowLogs: true },
    good: [
      { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "10.0.0.0/16" } },
      {
        type: "aws:ec2/flowLog:FlowLog",
        props: { trafficType: "ALL" },
        propertyDependencies: { vpcId: ["vpc"] },
      },
    ],
    bad: [
      { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "10.0.0.0/16" } },
      { type: "aws:ec2/vpc:Vpc", name: "other", props: { cidrBlock: "10.1.0.0/16" } },
      {
        type: "aws:ec2/flowLog:FlowLog",
        props: { trafficType: "ALL" },
        propertyDependencies: { vpcId: ["vpc"] },
      },
    ],
    message: /VPC other has no flow log/,
  },
  "aws-vpc-default-sg-managed": {
    good: [
      { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "10.0.0.0/16" } },
      {
        type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        name: "default",
        props: {},
        propertyDependencies: { vpcId: ["vpc"] },
      },
    ],
    bad: [
      { type: "aws:ec2/vpc:Vpc", name: "vpc", props: { cidrBlock: "10.0.0.0/16" } },
      {
        type: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        name: "default",
        props: {},
        propertyDependencies: { vpcId: ["vpc"] },
      },
      {
        type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        name: "open",
        props: { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1" },
        propertyDependencies: { securityGroupId: ["default"] },
      },
      { type: "aws:ec2/vpc:Vpc", name: "other", props: { cidrBlock: "10.1.0.0/16" } },
    ],
    message:
      /VPC vpc: open adds a rule to the default security group.*VPC other leaves its default security group to AWS's defaults/,
  },
  "aws-vpc-no-unattached": {
    good: [
      { type: "aws:ec2/securityGroup:SecurityGroup", name: "db", props: { description: "db" } },
      {
        type: "aws:rds/instance:Instance",
        props: {},
        propertyDependencies: { vpcSecurityGroupIds: ["db"] },
      },
      { type: "aws:ec2/eip:Eip", name: "nat", props: { domain: "vpc" } },
      {
        type: "aws:ec2/natGateway:NatGateway",
        props: {},
        propertyDependencies: { allocationId: ["nat"] },
      },
      { type: "aws:ec2/eip:Eip", name: "bastion", props: { domain: "vpc", instance: "i-1" } },
    ],
    bad: [
      { type: "aws:ec2/securityGroup:SecurityGroup", name: "db", props: { description: "db" } },
      // a rule adding to the group does not attach it
      {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        props: {},
        propertyDependencies: { securityGroupId: ["db"] },
      },
      { type: "aws:ec2/eip:Eip", name: "spare", props: { domain: "vpc" } },
    ],
    message: /security group db is attached to nothing.*Elastic IP spare is attached to nothing/,
  },
  "gov-stateful-protected": {
    config: { requireProtect: true },
    good: [
      { type: SQL, props: {}, protect: true },
      { type: DEP, props: {} },
    ],
    bad: [{ type: SQL, props: {}, protect: false }],
    message: /is not protected/,
  },
  "gov-policy-coverage": {
    good: [
      { type: GCS, props: {} },
      { type: "gcp:sql/user:User", props: {} },
    ],
    bad: [{ type: "gcp:storage/hmacKey:HmacKey", props: {} }],
    message: /no rule targets gcp:storage\/hmacKey/,
  },
};

const byName = new Map(allRules.map((r) => [r.name, r]));
const rule = (name: string): Rule => {
  const r = byName.get(name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};

describe("pack shape", () => {
  it("has >= 40 rules: >= 10 GCP, >= 10 AWS, >= 9 Kubernetes, >= 5 Argo/Helm, >= 6 cost/governance", () => {
    const count = (re: RegExp) => allRules.filter((r) => re.test(r.name)).length;
    expect(allRules.length).toBeGreaterThanOrEqual(40);
    expect(count(/^gcp-/)).toBeGreaterThanOrEqual(10);
    expect(count(/^aws-/)).toBeGreaterThanOrEqual(10);
    expect(count(/^k8s-/)).toBeGreaterThanOrEqual(9);
    expect(count(/^(argo|helm)-/)).toBeGreaterThanOrEqual(5);
    expect(count(/^(cost|gov)-/)).toBeGreaterThanOrEqual(6);
  });

  it.each(allRules.map((r) => [r.name, r] as const))("%s has complete metadata", (name, r) => {
    expect(name).toMatch(/^[a-z0-9]+-[a-z0-9]+-[a-z0-9-]+$/);
    expect(r.description).toMatch(/^[A-Z].+\.$/);
    expect(r.severity).toMatch(/^(low|medium|high|critical)$/);
    expect(r.remediationSteps?.length).toBeGreaterThan(10);
    expect(r.tags?.length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(
      (r.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>,
    )) {
      expect(v.default, `${name}.${k} needs a default`).toBeDefined();
    }
  });

  it("rule names are unique", () => {
    expect(new Set(allRules.map((r) => r.name)).size).toBe(allRules.length);
  });

  it("every rule has test cases here (a new rule without cases fails this)", () => {
    const covered = new Set([...Object.keys(RESOURCE_CASES), ...Object.keys(STACK_CASES)]);
    expect(allRules.map((r) => r.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe.each(Object.entries(RESOURCE_CASES))("%s", (name, c) => {
  if (c.good)
    it("passes a compliant resource", () => {
      expect(runResourceRule(rule(c.rule ?? name), c.type, c.good!)).toEqual([]);
    });
  it.each(c.bad.map((b, i) => [i, b] as const))(
    "fails condition %i with its message",
    (_i, [props, msg]) => {
      const out = runResourceRule(rule(c.rule ?? name), c.type, props);
      expect(out.length).toBeGreaterThan(0);
      expect(out.join(" ")).toMatch(msg);
    },
  );
  it(`absent properties ${c.absentViolates ? "violate" : "pass"} (provider default)`, () => {
    expect(runResourceRule(rule(c.rule ?? name), c.type, {}).length > 0).toBe(c.absentViolates);
  });
  if (c.config) {
    const cfg = c.config;
    it("honours a config override", () => {
      expect(runResourceRule(rule(c.rule ?? name), c.type, cfg.props, cfg.config).length > 0).toBe(
        cfg.violates,
      );
      // The same props under the defaults give the opposite answer, so the override is what decided.
      expect(runResourceRule(rule(c.rule ?? name), c.type, cfg.props).length > 0).toBe(
        !cfg.violates,
      );
    });
  }
  it("ignores resources of other types", () => {
    expect(
      runResourceRule(rule(c.rule ?? name), "random:index/randomId:RandomId", c.bad[0]?.[0] ?? {}),
    ).toEqual([]);
  });
});

describe.each(Object.entries(STACK_CASES))("%s", (name, c) => {
  it("passes a compliant stack", () => {
    expect(runStackRule(rule(c.rule ?? name), c.good, c.config)).toEqual([]);
  });
  it("fails a non-compliant stack with its message", () => {
    expect(runStackRule(rule(c.rule ?? name), c.bad, c.config).join(" ")).toMatch(c.message);
  });
});

describe("rules leave alone what they do not govern", () => {
  it.each([
    [
      "aws-rds-force-ssl",
      "aws:rds/parameterGroup:ParameterGroup",
      { family: "mysql8.0", parameters: [] },
    ],
    [
      "aws-kms-key-rotation",
      "aws:kms/key:Key",
      { customerMasterKeySpec: "RSA_2048", enableKeyRotation: false },
    ],
    // Signing and MAC keys cannot rotate (trivy AVD-AWS-0065's own good example).
    ["aws-kms-key-rotation", "aws:kms/key:Key", { keyUsage: "SIGN_VERIFY" }],
    ["aws-kms-key-rotation", "aws:kms/key:Key", { keyUsage: "GENERATE_VERIFY_MAC" }],
    // A usage-log target needs no logging of its own.
    [
      "gcp-gcs-logging-and-cmek",
      "gcp:storage/bucket:Bucket",
      { name: "mlops-prod-access-logs", encryption: { defaultKmsKeyName: "k" } },
    ],
    [
      "k8s-storageclass-encrypted",
      "kubernetes:storage.k8s.io/v1:StorageClass",
      { provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced" } },
    ],
  ] as const)("%s passes %s %j", (name, type, props) => {
    expect(runResourceRule(rule(name), type, props)).toEqual([]);
  });
  it("aws-vpc-flow-logs asks nothing unless required", () => {
    expect(
      runStackRule(rule("aws-vpc-flow-logs"), [{ type: "aws:ec2/vpc:Vpc", props: {} }]),
    ).toEqual([]);
  });
});

describe("unknown values during preview", () => {
  it("a rule reading an unknown input throws the SDK's UnknownValueError, which the server reports as advisory", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proxy = require("@pulumi/policy/proxy");
    const props = { privateClusterConfig: proxy.unknownObjectValue };
    expect(() => runResourceRule(rule("gcp-gke-private-nodes"), CL, props)).toThrow(
      proxy.UnknownValueError,
    );
  });
});

describe("argo-application-pinned-revision and release-pinned ApplicationSets", () => {
  const rule = argoRules.find((r) => r.name === "argo-application-pinned-revision")!;
  const set = (name: string) => ({
    metadata: { name },
    spec: {
      generators: [{ git: { revision: "main" } }],
      template: { spec: { source: { targetRevision: "main" } } },
    },
  });
  it("ml-models may follow main (its releases pin digests); any other ApplicationSet may not", () => {
    const on = { requirePinnedRevision: true };
    expect(runResourceRule(rule, APPSET, set("ml-models"), on)).toEqual([]);
    expect(runResourceRule(rule, APPSET, set("team-apps"), on)).toHaveLength(2);
    expect(
      runResourceRule(rule, APPSET, set("ml-models"), { ...on, releasePinnedApplicationSets: [] }),
    ).toHaveLength(2);
  });
});

describe("false positives the external tools do not raise (issue #14)", () => {
  const rule = (name: string) => allRules.find((r) => r.name === name)!;
  it("a Cloud SQL read replica needs no backups of its own", () => {
    const replica = { masterInstanceName: "mlops-prod-pg", settings: { tier: "db-custom-2-7680" } };
    expect(
      runResourceRule(
        rule("gcp-cloudsql-backups"),
        "gcp:sql/databaseInstance:DatabaseInstance",
        replica,
      ),
    ).toEqual([]);
    const { masterInstanceName: _m, ...primary } = replica;
    expect(
      runResourceRule(
        rule("gcp-cloudsql-backups"),
        "gcp:sql/databaseInstance:DatabaseInstance",
        primary,
      ),
    ).toContain("automated backups are off.");
  });
  it("an S3 access-log target bucket may use SSE-S3; any other bucket may not", () => {
    const sse = (bucket: string) => ({
      bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    const type =
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
    expect(runResourceRule(rule("aws-s3-sse-kms"), type, sse("mlops-prod-access-logs"))).toEqual(
      [],
    );
    expect(runResourceRule(rule("aws-s3-sse-kms"), type, sse("mlops-prod-artifacts"))).toHaveLength(
      1,
    );
    expect(
      runResourceRule(rule("aws-s3-sse-kms"), type, sse("mlops-prod-access-logs"), {
        logBucketPatterns: [],
      }),
    ).toHaveLength(1);
  });
  it("the built-in default ServiceAccount of namespace default is not a workload there", () => {
    const sa = "kubernetes:core/v1:ServiceAccount";
    const r = rule("k8s-no-default-namespace");
    expect(
      runResourceRule(r, sa, {
        metadata: { name: "default", namespace: "default" },
        automountServiceAccountToken: false,
      }),
    ).toEqual([]);
    expect(
      runResourceRule(r, sa, { metadata: { name: "app", namespace: "default" } }),
    ).toHaveLength(1);
  });
  it("gov-policy-coverage is advisory in every committed stack config, whatever `all` says", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const file = JSON.parse(
        fs.readFileSync(path.join(__dirname, "../../policies/config", `${env}.json`), "utf8"),
      );
      expect(file["gov-policy-coverage"], env).toBe("advisory");
    }
  });
});

describe("security-group rules in every form the provider accepts", () => {
  const rule = allRules.find((r) => r.name === "aws-ec2-no-ssh-from-anywhere")!;
  it("separate rule resources: SecurityGroupIngressRule (ipProtocol -1, cidrIpv6) and SecurityGroupRule", () => {
    expect(
      runResourceRule(rule, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {
        ipProtocol: "-1",
        cidrIpv6: "::/0",
      }),
    ).toEqual(["all traffic is open to the internet."]);
    expect(
      runResourceRule(rule, "aws:ec2/securityGroupRule:SecurityGroupRule", {
        type: "ingress",
        protocol: "tcp",
        fromPort: 3389,
        toPort: 3389,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ).toEqual(["RDP is open to the internet."]);
    expect(
      runResourceRule(rule, "aws:ec2/securityGroupRule:SecurityGroupRule", {
        type: "egress",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ).toEqual([]);
  });
});

describe("IAM rules read attachments and conditions as AWS does", () => {
  const rule = (n: string) => allRules.find((r) => r.name === n)!;
  it("AdministratorAccess attached to a role is an admin grant; a scoped managed policy is not", () => {
    const t = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
    expect(
      runResourceRule(rule("aws-iam-no-admin-grants"), t, {
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    ).toEqual(["attaches AdministratorAccess."]);
    expect(
      runResourceRule(rule("aws-iam-no-admin-grants"), t, {
        policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      }),
    ).toEqual([]);
  });
  it("a public principal with conditions (e.g. an OIDC subject) is not 'anyone'", () => {
    const conditioned = {
      assumeRolePolicy: {
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } },
          },
        ],
      },
    };
    expect(
      runResourceRule(rule("aws-iam-role-trust-not-public"), "aws:iam/role:Role", conditioned),
    ).toEqual([]);
  });
});

describe("S3 rules read the deprecated inline blocks of aws.s3.Bucket", () => {
  const rule = (n: string) => allRules.find((r) => r.name === n)!;
  const B = "aws:s3/bucket:Bucket";
  it("inline SSE-S3 on a bucket fails SSE-KMS; inline SSE-KMS with a bucket key passes; none defers", () => {
    const inline = (sseAlgorithm: string, bucketKeyEnabled?: boolean) => ({
      bucket: "b",
      serverSideEncryptionConfiguration: {
        rule: {
          applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId: KEY },
          bucketKeyEnabled,
        },
      },
    });
    expect(runResourceRule(rule("aws-s3-sse-kms"), B, inline("AES256"))).toHaveLength(1);
    expect(runResourceRule(rule("aws-s3-sse-kms"), B, inline("aws:kms", true))).toEqual([]);
    expect(runResourceRule(rule("aws-s3-sse-kms"), B, { bucket: "b" })).toEqual([]);
  });
  it("a public canned ACL, inline or through BucketAcl, fails", () => {
    expect(runResourceRule(rule("aws-s3-no-public-acl"), B, { acl: "public-read" })).toEqual([
      "canned ACL public-read is public.",
    ]);
    expect(
      runResourceRule(rule("aws-s3-no-public-acl"), "aws:s3/bucketAcl:BucketAcl", {
        acl: "authenticated-read",
      }),
    ).toHaveLength(1);
    expect(runResourceRule(rule("aws-s3-no-public-acl"), B, { acl: "private" })).toEqual([]);
  });
});

describe("GKE node rules read the cluster's default-pool config, inline pools and NAP defaults too", () => {
  const rule = (n: string) => allRules.find((r) => r.name === n)!;
  const NAP = (defaults: Record<string, unknown>) => ({
    removeDefaultNodePool: true,
    clusterAutoscaling: { enabled: true, autoProvisioningDefaults: defaults },
  });
  it("NAP defaults without a service account run nodes as the Compute Engine default SA", () => {
    expect(runResourceRule(rule("gcp-gke-dedicated-node-sa"), CL, NAP({}))).toEqual([
      "clusterAutoscaling.autoProvisioningDefaults.serviceAccount is not set: nodes would use the Compute Engine default SA.",
    ]);
    expect(
      runResourceRule(
        rule("gcp-gke-dedicated-node-sa"),
        CL,
        NAP({ serviceAccount: "nodes@p.iam.gserviceaccount.com" }),
      ),
    ).toEqual([]);
  });
  it("a kept default pool is judged by the cluster's nodeConfig; a removed one without nodeConfig is not", () => {
    expect(runResourceRule(rule("gcp-gke-dedicated-node-sa"), CL, {})).toHaveLength(1);
    expect(
      runResourceRule(rule("gcp-gke-dedicated-node-sa"), CL, { removeDefaultNodePool: true }),
    ).toEqual([]);
    expect(
      runResourceRule(rule("gcp-gke-cos-containerd"), CL, {
        nodeConfig: { imageType: "UBUNTU_CONTAINERD" },
      }),
    ).toEqual(["nodeConfig.imageType is UBUNTU_CONTAINERD."]);
  });
  it("inline node pools are judged by their own nodeConfig", () => {
    expect(
      runResourceRule(rule("gcp-gke-cos-containerd"), CL, {
        removeDefaultNodePool: true,
        nodePools: [
          { name: "a", nodeConfig: { imageType: "COS_CONTAINERD" } },
          { name: "b", nodeConfig: { imageType: "UBUNTU_CONTAINERD" } },
        ],
      }),
    ).toEqual(["nodePools[1].nodeConfig.imageType is UBUNTU_CONTAINERD."]);
  });
  it("NAP defaults without secure boot fail the shielded-nodes rule", () => {
    expect(
      runResourceRule(rule("gcp-gke-shielded-nodes"), CL, NAP({ serviceAccount: "x" })),
    ).toEqual([
      "clusterAutoscaling.autoProvisioningDefaults.shieldedInstanceConfig.enableSecureBoot is not true.",
    ]);
  });
});

describe("GPU budget counts per-zone limits once per zone", () => {
  it("maxNodeCount 2 over 3 node locations is 6 nodes; totalMaxNodeCount 2 is 2", () => {
    const acc = { nodeConfig: { guestAccelerators: [{ type: "nvidia-l4", count: 1 }] } };
    expect(
      costGpuPool(NP, { ...acc, nodeLocations: ["a", "b", "c"], autoscaling: { maxNodeCount: 2 } })
        ?.maxNodes,
    ).toBe(6);
    expect(costGpuPool(NP, { ...acc, autoscaling: { totalMaxNodeCount: 2 } })?.maxNodes).toBe(2);
    expect(
      costGpuPool(NP, { ...acc, location: "us-central1-a", autoscaling: { maxNodeCount: 2 } })
        ?.maxNodes,
    ).toBe(2);
    expect(
      costGpuPool(NP, { ...acc, location: "us-central1", autoscaling: { maxNodeCount: 2 } })
        ?.maxNodes,
    ).toBe(6);
  });
});

describe("aws-s3-bucket-companions reads the inline logging block", () => {
  const B = "aws:s3/bucket:Bucket";
  // versioned, encrypted and with a lifecycle, inline: what this block tests is logging
  const versioned = {
    versioning: { enabled: true },
    lifecycleRules: [{ enabled: true }],
    serverSideEncryptionConfiguration: {
      rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
    },
  };
  const blocked = (bucket: string): StackItem => ({
    type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    props: { bucket },
  });
  it("a bucket logging through the inline block is logged, and its target needs no logging", () => {
    const items: StackItem[] = [
      {
        type: B,
        name: "app",
        props: { bucket: "app", ...versioned, logging: { targetBucket: "logs" } },
      },
      { type: B, name: "logs", props: { bucket: "logs", ...versioned } },
      blocked("app"),
      blocked("logs"),
    ];
    expect(
      runStackRule(rule("aws-s3-bucket-companions"), items, { requireAccessLogging: true }),
    ).toEqual([]);
  });
  it("the target is recognised through the engine's property dependency too (a computed id)", () => {
    const items: StackItem[] = [
      {
        type: B,
        name: "app",
        props: { bucket: "app", ...versioned, logging: { targetBucket: "b-123" } },
        propertyDependencies: { logging: ["logs"] },
      },
      { type: B, name: "logs", props: { bucket: "mlops-logs", ...versioned } },
      blocked("app"),
      blocked("mlops-logs"),
    ];
    expect(
      runStackRule(rule("aws-s3-bucket-companions"), items, { requireAccessLogging: true }),
    ).toEqual([]);
  });
  it("a bucket neither logging nor logged into still fails", () => {
    const items: StackItem[] = [{ type: B, name: "app", props: { bucket: "app", ...versioned } }];
    expect(
      runStackRule(rule("aws-s3-bucket-companions"), items, { requireAccessLogging: true }).join(),
    ).toMatch(/bucket app has no server access logging/);
  });
});

describe("aws-rds-backups reads Aurora clusters", () => {
  const C = "aws:rds/cluster:Cluster";
  it("flags a cluster on the provider's 1-day default and passes one keeping enough", () => {
    expect(runResourceRule(rule("aws-rds-backups"), C, {}).join()).toMatch(/1 < 7/);
    expect(runResourceRule(rule("aws-rds-backups"), C, { backupRetentionPeriod: 7 })).toEqual([]);
  });
});

describe("aws-rds-operations: the switches that require more", () => {
  const base = { enabledCloudwatchLogsExports: ["postgresql"], parameterGroupName: "pg" };
  const run = (props: Record<string, unknown>, config: Record<string, unknown>) =>
    runResourceRule(rule("aws-rds-operations"), RDS, { ...base, ...props }, config).join(" ");
  it("requirePerformanceInsights: off fails, on passes", () => {
    expect(run({}, { requirePerformanceInsights: true })).toMatch(/Performance Insights is off/);
    expect(
      run(
        { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: "k" },
        { requirePerformanceInsights: true },
      ),
    ).toBe("");
  });
  it("requireEnhancedMonitoring: the provider's interval 0 fails, 60 s passes", () => {
    expect(run({}, { requireEnhancedMonitoring: true })).toMatch(/Enhanced Monitoring is off/);
    expect(run({ monitoringInterval: 60 }, { requireEnhancedMonitoring: true })).toBe("");
  });
});

describe("forms kubescape's examples showed the rules missed (issue #14)", () => {
  const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
  const role = (resources: string[], verbs: string[]) => ({
    rules: [{ apiGroups: [""], resources, verbs }],
  });
  it("RBAC resource wildcards reach subresources as the API server matches them", () => {
    expect(namesResource("pods/*", "pods/exec")).toBe(true);
    expect(namesResource("*", "pods/portforward")).toBe(true);
    expect(namesResource("*/exec", "pods/exec")).toBe(true);
    expect(namesResource("pods/*", "pods")).toBe(false);
    expect(namesResource("*/exec", "pods")).toBe(false);
    expect(
      runResourceRule(rule("k8s-rbac-no-escalation"), ROLE, role(["pods/*"], ["create"])),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/may exec into pods/)]));
    expect(
      runResourceRule(rule("k8s-rbac-workload-control"), ROLE, role(["*"], ["delete"])),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/may delete workloads/)]));
    for (const [resources, verbs, message] of [
      [["events"], ["delete"], /may delete events/],
      [["persistentvolumes"], ["create"], /may create PersistentVolumes/],
      [["serviceaccounts/token"], ["create"], /may create ServiceAccount tokens/],
      [["pods/portforward"], ["get"], /may portforward into pods/],
    ] as const)
      expect(
        runResourceRule(rule("k8s-rbac-no-escalation"), ROLE, role([...resources], [...verbs])),
        String(message),
      ).toEqual([expect.stringMatching(message)]);
    expect(
      runResourceRule(rule("k8s-rbac-no-escalation"), ROLE, role(["events"], ["get", "list"])),
    ).toEqual([]);
  });
  it("ephemeral containers and batch/v1beta1 CronJobs are judged like any other", () => {
    const pod = {
      spec: {
        containers: [goodContainer],
        ephemeralContainers: [
          {
            name: "debug",
            image: "busybox:1.36",
            securityContext: { capabilities: { add: ["SYS_ADMIN"] } },
          },
        ],
      },
    };
    expect(runResourceRule(rule("k8s-pod-no-privileged"), "kubernetes:core/v1:Pod", pod)).toEqual([
      expect.stringMatching(/debug adds SYS_ADMIN/),
    ]);
    const cron = {
      spec: {
        jobTemplate: {
          spec: { template: { spec: { hostIPC: true, containers: [goodContainer] } } },
        },
      },
    };
    expect(
      runResourceRule(rule("k8s-pod-no-host-namespaces"), "kubernetes:batch/v1beta1:CronJob", cron),
    ).toHaveLength(1);
  });
  it("floating tags and the frozen k8s.gcr.io are not pinned images", () => {
    const pod = (image: string) => ({ spec: { containers: [{ ...goodContainer, image }] } });
    const judge = (image: string) =>
      runResourceRule(rule("k8s-pod-pinned-images"), "kubernetes:core/v1:Pod", pod(image));
    expect(judge("redis:alpine")).toEqual([expect.stringMatching(/is not pinned/)]);
    expect(judge("redis:7.4-alpine")).toEqual([]);
    expect(judge("k8s.gcr.io/pause:3.9")).toEqual([expect.stringMatching(/registry\.k8s\.io/)]);
    expect(judge("registry.k8s.io/pause:3.9")).toEqual([]);
  });
  it("token-shaped literal values are credentials whatever the variable is called", () => {
    const env = (value: string) => ({
      spec: { containers: [{ ...goodContainer, env: [{ name: "DB_URL", value }] }] },
    });
    const judge = (value: string) =>
      runResourceRule(rule("k8s-env-no-literal-secrets"), "kubernetes:core/v1:Pod", env(value));
    for (const token of ["AKIAIOSFODNN7EXAMPLE", "bearer abc123def", `ghp_${"a".repeat(36)}`])
      expect(judge(token), token).toHaveLength(1);
    expect(judge("postgresql://mlflow@db:5432/mlflow")).toEqual([]);
    expect(judge("JWT")).toEqual([]);
  });
  it("an Ingress is public unless its controller is told otherwise", () => {
    const ING = "kubernetes:networking.k8s.io/v1:Ingress";
    const ingress = (cls: string, annotations: Record<string, string> = {}) => ({
      metadata: { annotations },
      spec: { ingressClassName: cls },
    });
    const judge = (p: Record<string, unknown>, config?: Record<string, unknown>) =>
      runResourceRule(rule("k8s-service-not-public"), ING, p, config);
    expect(judge(ingress("alb"))).toEqual([]);
    expect(
      judge(ingress("alb", { "alb.ingress.kubernetes.io/scheme": "internet-facing" })),
    ).toHaveLength(1);
    expect(judge(ingress("gce-internal"))).toEqual([]);
    expect(judge(ingress("nginx"))).toEqual([expect.stringMatching(/class nginx/)]);
    expect(judge(ingress("nginx"), { allowPublicLoadBalancers: true })).toEqual([]);
  });
  it("Services must not forward SSH; selectors with matchExpressions and ReplicationControllers' maps are checked", () => {
    const svc = { spec: { ports: [{ port: 2222, targetPort: 2222 }] } };
    expect(
      runResourceRule(rule("k8s-service-target-ports"), "kubernetes:core/v1:Service", svc),
    ).toEqual([expect.stringMatching(/forwards SSH/)]);
    const rc = {
      spec: {
        selector: { app: "api", tier: "backend" },
        template: {
          metadata: { labels: { app: "api", tier: "frontend" } },
          spec: { containers: [goodContainer] },
        },
      },
    };
    expect(
      runResourceRule(rule("k8s-workload-wiring"), "kubernetes:core/v1:ReplicationController", rc),
    ).toEqual([expect.stringMatching(/tier=backend/)]);
    const dep = deployment();
    (dep.spec as Record<string, any>).selector = {
      matchExpressions: [{ key: "app", operator: "In", values: ["b"] }],
    };
    expect(runResourceRule(rule("k8s-workload-wiring"), DEP, dep)).toEqual([
      expect.stringMatching(/matchExpressions/),
    ]);
  });
});

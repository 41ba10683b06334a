/**
 * The pack against the real stacks, through the SDK's own analyzer server (the
 * way `pulumi preview --policy-pack policies --policy-pack-config ...` runs it):
 * every stack is clean under its own config, and flipping any security- or
 * reliability-relevant setting the platform makes fires the named rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../policies/rules";
import {
  PackSession,
  isBlocking,
  readPolicyConfig,
  resolvePolicyConfig,
  type Diagnostic,
  type EngineResource,
} from "../../scripts/lib/policyEngine";
import { recordedStack, runStack } from "../helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS } from "../helpers/timeouts";

let pack: PackSession;
const stacks: Record<string, EngineResource[]> = {};
/** The same stacks with `cloud: aws`. */
const awsStacks: Record<string, EngineResource[]> = {};
const AWS = { "mlops-platform:cloud": "aws", "aws:region": "us-east-1" };

beforeAll(async () => {
  pack = await PackSession.start();
  for (const env of ["dev", "staging", "prod"] as const) {
    stacks[env] = (await recordedStack(env)).resources;
    awsStacks[env] = (await recordedStack(env, "aws")).resources;
  }
  for (const rs of [...Object.values(stacks), ...Object.values(awsStacks)])
    for (const r of rs) baseline.set(`${cloudOf(rs)}|${r.urn}`, fingerprint(r));
}, SPAWN_TEST_TIMEOUT_MS);
afterAll(() => pack?.close());

/** The unmutated recordings, per cloud (the clusters' layers share URNs across clouds). */
const baseline = new Map<string, string>();
const cloudOf = (rs: EngineResource[]) =>
  rs.some((r) => r.type.startsWith("aws:")) ? "aws" : "gcp";
const fingerprint = (r: EngineResource) => JSON.stringify([r.inputs, r.state, r.protect]);

/**
 * Evaluates a stack as the engine does. For a mutated stack, only the resources the
 * mutation changed go through per-resource Analyze (the others were analyzed unchanged
 * in the clean-stack tests); AnalyzeStack always sees every resource.
 */
async function evaluate(env: string, resources: EngineResource[]): Promise<Diagnostic[]> {
  await pack.configure(readPolicyConfig(env));
  const cloud = cloudOf(resources);
  const changed = new Set(
    resources.filter((r) => baseline.get(`${cloud}|${r.urn}`) !== fingerprint(r)).map((r) => r.urn),
  );
  return pack.analyze(resources, changed.size === 0 ? undefined : changed);
}

describe.each(["dev", "staging", "prod"])("stack %s under its own policy config", (env) => {
  it("has zero mandatory violations", async () => {
    const ds = await evaluate(env, stacks[env]);
    expect(ds.filter(isBlocking).map((d) => `${d.policyName}: ${d.message}`)).toEqual([]);
  });
});

describe.each(["dev", "staging", "prod"])("stack %s on AWS under its own policy config", (env) => {
  it("has zero mandatory violations and no uncovered types", async () => {
    const ds = await evaluate(env, awsStacks[env]);
    expect(ds.filter(isBlocking).map((d) => `${d.policyName}: ${d.message}`)).toEqual([]);
    expect(ds.filter((d) => d.policyName === "gov-policy-coverage")).toEqual([]);
  });
});

describe("enforcement as the engine applies it", () => {
  it("dev is advisory where prod is mandatory: the same violation blocks only in prod", async () => {
    const mutate = (rs: EngineResource[]) =>
      mutated(
        rs,
        "gcp:sql/databaseInstance:DatabaseInstance",
        (p) => (p.settings.backupConfiguration.pointInTimeRecoveryEnabled = false),
      );
    const dev = (await evaluate("dev", mutate(stacks.dev))).filter(
      (d) => d.policyName === "gcp-cloudsql-backups",
    );
    const prod = (await evaluate("prod", mutate(stacks.prod))).filter(
      (d) => d.policyName === "gcp-cloudsql-backups",
    );
    expect(dev.map((d) => d.enforcementLevel)).toEqual(["advisory"]);
    expect(prod.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });

  it("remediate counts as mandatory, disabled silences a rule", async () => {
    const bad = mutated(
      stacks.dev,
      "gcp:storage/bucket:Bucket",
      (p) => (p.versioning = { enabled: false }),
    );
    await pack.configure({ ...readPolicyConfig("dev"), "gcp-gcs-versioning": "remediate" });
    expect(
      (await pack.analyze(bad)).find((d) => d.policyName === "gcp-gcs-versioning")
        ?.enforcementLevel,
    ).toBe("mandatory");
    await pack.configure({ ...readPolicyConfig("dev"), "gcp-gcs-versioning": "disabled" });
    expect((await pack.analyze(bad)).some((d) => d.policyName === "gcp-gcs-versioning")).toBe(
      false,
    );
  });

  it("schema defaults are filled in and bad config is refused like the CLI refuses it", () => {
    const resolved = resolvePolicyConfig(pack.policies, {});
    expect(resolved.get("gcp-cloudsql-backups")?.properties).toEqual({ minRetainedBackups: 7 });
    expect(() => resolvePolicyConfig(pack.policies, { "no-such-rule": "mandatory" })).toThrow(
      /not a policy of this pack/,
    );
    expect(() =>
      resolvePolicyConfig(pack.policies, { "cost-gpu-budget": { maxGpus: "eight" } }),
    ).toThrow(/maxGpus must be a integer/);
  });

  it("the pack the engine serves is the full rule list", async () => {
    expect(pack.policies.map((p) => p.name).sort()).toEqual(allRules.map((r) => r.name).sort());
  });
});

/** A deep copy of the stack where `fn` edits the inputs and outputs of every resource of `type` (optionally by name). */
function mutated(
  rs: EngineResource[],
  type: string,
  fn: (props: any) => void,
  name?: RegExp,
): EngineResource[] {
  let hit = 0;
  const out = rs.map((r) => {
    const copy: EngineResource = JSON.parse(JSON.stringify(r));
    if (r.type === type && (!name || name.test(r.name))) {
      hit++;
      fn(copy.inputs);
      fn(copy.state);
    }
    return copy;
  });
  if (!hit) throw new Error(`mutation found no ${type}`);
  return out;
}

/** Same, but flips resource options. */
function unprotected(rs: EngineResource[], type: string): EngineResource[] {
  return rs.map((r) => ({ ...r, protect: r.type === type ? false : r.protect }));
}

const CL = "gcp:container/cluster:Cluster";
const NP = "gcp:container/nodePool:NodePool";
const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const GCS = "gcp:storage/bucket:Bucket";
const DEP = "kubernetes:apps/v1:Deployment";
const REL = "kubernetes:helm.sh/v3:Release";
const APP = "kubernetes:argoproj.io/v1alpha1:Application";
const c0 = (p: any) => p.spec.template.spec.containers[0];

const MUTATIONS: [string, string, (rs: EngineResource[]) => EngineResource[]][] = [
  [
    "subnetwork without Private Google Access",
    "gcp-vpc-subnetworks",
    (rs) =>
      mutated(rs, "gcp:compute/subnetwork:Subnetwork", (p) => (p.privateIpGoogleAccess = false)),
  ],
  [
    "subnetwork flow logs off",
    "gcp-vpc-subnetworks",
    (rs) => mutated(rs, "gcp:compute/subnetwork:Subnetwork", (p) => delete p.logConfig),
  ],
  [
    "private nodes off",
    "gcp-gke-private-nodes",
    (rs) => mutated(rs, CL, (p) => (p.privateClusterConfig.enablePrivateNodes = false)),
  ],
  [
    "API open to 0.0.0.0/0",
    "gcp-gke-restricted-control-plane",
    (rs) =>
      mutated(
        rs,
        CL,
        (p) => (p.masterAuthorizedNetworksConfig.cidrBlocks = [{ cidrBlock: "0.0.0.0/0" }]),
      ),
  ],
  [
    "workload identity off",
    "gcp-gke-workload-identity",
    (rs) => mutated(rs, CL, (p) => delete p.workloadIdentityConfig),
  ],
  [
    "legacy ABAC on",
    "gcp-gke-no-legacy-auth",
    (rs) => mutated(rs, CL, (p) => (p.enableLegacyAbac = true)),
  ],
  [
    "no release channel",
    "gcp-gke-release-channel",
    (rs) => mutated(rs, CL, (p) => (p.releaseChannel.channel = "UNSPECIFIED")),
  ],
  [
    "no network policy",
    "gcp-gke-network-policy",
    (rs) => mutated(rs, CL, (p) => (p.datapathProvider = "LEGACY_DATAPATH")),
  ],
  [
    "node metadata exposed",
    "gcp-gke-metadata-server",
    (rs) => mutated(rs, NP, (p) => (p.nodeConfig.workloadMetadataConfig.mode = "GCE_METADATA")),
  ],
  [
    "secure boot off",
    "gcp-gke-shielded-nodes",
    (rs) => mutated(rs, NP, (p) => (p.nodeConfig.shieldedInstanceConfig.enableSecureBoot = false)),
  ],
  [
    "auto-repair off",
    "gcp-gke-node-auto-repair-upgrade",
    (rs) => mutated(rs, NP, (p) => (p.management.autoRepair = false)),
  ],
  [
    "default compute SA",
    "gcp-gke-dedicated-node-sa",
    (rs) => mutated(rs, NP, (p) => delete p.nodeConfig.serviceAccount),
  ],
  [
    "Cloud SQL public IP",
    "gcp-cloudsql-private-ip-only",
    (rs) => mutated(rs, SQL, (p) => (p.settings.ipConfiguration.ipv4Enabled = true)),
  ],
  [
    "Cloud SQL without TLS",
    "gcp-cloudsql-tls-required",
    (rs) =>
      mutated(
        rs,
        SQL,
        (p) => (p.settings.ipConfiguration.sslMode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"),
      ),
  ],
  [
    "PITR off",
    "gcp-cloudsql-backups",
    (rs) =>
      mutated(rs, SQL, (p) => (p.settings.backupConfiguration.pointInTimeRecoveryEnabled = false)),
  ],
  [
    "prod DB zonal",
    "gcp-cloudsql-resilience",
    (rs) => mutated(rs, SQL, (p) => (p.settings.availabilityType = "ZONAL")),
  ],
  [
    "DB deletion protection off",
    "gcp-cloudsql-resilience",
    (rs) => mutated(rs, SQL, (p) => (p.settings.deletionProtectionEnabled = false)),
  ],
  [
    "audit log flags removed",
    "gcp-cloudsql-postgres-log-flags",
    (rs) => mutated(rs, SQL, (p) => (p.settings.databaseFlags = [])),
  ],
  [
    "bucket not versioned",
    "gcp-gcs-versioning",
    (rs) => mutated(rs, GCS, (p) => (p.versioning.enabled = false)),
  ],
  [
    "bucket ACLs",
    "gcp-gcs-uniform-access",
    (rs) => mutated(rs, GCS, (p) => (p.uniformBucketLevelAccess = false)),
  ],
  [
    "bucket public access prevention off",
    "gcp-gcs-public-access-prevention",
    (rs) => mutated(rs, GCS, (p) => (p.publicAccessPrevention = "inherited")),
  ],
  [
    "bucket granted to allUsers",
    "gcp-gcs-no-public-iam",
    (rs) =>
      mutated(rs, "gcp:storage/bucketIAMMember:BucketIAMMember", (p) => (p.member = "allUsers")),
  ],
  ["bucket not protected", "gov-stateful-protected", (rs) => unprotected(rs, GCS)],
  ["database not protected", "gov-stateful-protected", (rs) => unprotected(rs, SQL)],
  [
    "GPU budget exceeded",
    "cost-gpu-budget",
    (rs) => mutated(rs, NP, (p) => (p.autoscaling.totalMaxNodeCount = 40), /gpu/),
  ],
  [
    "GPU type not allowed",
    "cost-gpu-allowed-types",
    (rs) =>
      mutated(rs, NP, (p) => (p.nodeConfig.guestAccelerators[0].type = "nvidia-tesla-v100"), /gpu/),
  ],
  [
    "DB size not allowed",
    "cost-db-size-allowed",
    (rs) => mutated(rs, SQL, (p) => (p.settings.tier = "db-custom-96-368640")),
  ],
  [
    "MLflow privileged",
    "k8s-pod-no-privileged",
    (rs) => mutated(rs, DEP, (p) => (c0(p).securityContext.privileged = true)),
  ],
  [
    "MLflow privilege escalation",
    "k8s-pod-restricted-security-context",
    (rs) => mutated(rs, DEP, (p) => (c0(p).securityContext.allowPrivilegeEscalation = true)),
  ],
  [
    "MLflow without limits",
    "k8s-pod-resources",
    (rs) => mutated(rs, DEP, (p) => delete c0(p).resources),
  ],
  [
    "MLflow on latest",
    "k8s-pod-pinned-images",
    (rs) => mutated(rs, DEP, (p) => (c0(p).image = "burakince/mlflow:latest")),
  ],
  [
    "MLflow without readiness probe",
    "k8s-server-probes",
    (rs) => mutated(rs, DEP, (p) => delete c0(p).readinessProbe),
  ],
  [
    "MLflow with one replica",
    "k8s-server-replicas-pdb",
    (rs) => mutated(rs, DEP, (p) => (p.spec.replicas = 1)),
  ],
  [
    "MLflow on host network",
    "k8s-pod-no-host-namespaces",
    (rs) => mutated(rs, DEP, (p) => (p.spec.template.spec.hostNetwork = true)),
  ],
  [
    "MLflow exposed publicly",
    "k8s-service-not-public",
    (rs) => mutated(rs, "kubernetes:core/v1:Service", (p) => (p.spec.type = "LoadBalancer")),
  ],
  [
    "chart version range",
    "helm-release-pinned-version",
    (rs) => mutated(rs, REL, (p) => (p.version = "^9.0.0"), /argocd/),
  ],
  [
    "chart from unknown repo",
    "helm-release-allowed-repo",
    (rs) =>
      mutated(rs, REL, (p) => (p.repositoryOpts.repo = "https://charts.example.com"), /argocd/),
  ],
  [
    "Application in default project",
    "argo-application-project-not-default",
    (rs) => mutated(rs, APP, (p) => (p.spec.project = "default")),
  ],
  [
    "Application on a branch",
    "argo-application-pinned-revision",
    (rs) => mutated(rs, APP, (p) => (p.spec.source.targetRevision = "main")),
  ],
  [
    "Application without sync policy",
    "argo-application-explicit-sync-policy",
    (rs) => mutated(rs, APP, (p) => delete p.spec.syncPolicy),
  ],
];

const EKS = "aws:eks/cluster:Cluster";
const NG = "aws:eks/nodeGroup:NodeGroup";
const RDS = "aws:rds/instance:Instance";

const AWS_MUTATIONS: [string, string, (rs: EngineResource[]) => EngineResource[]][] = [
  [
    "EKS API open to 0.0.0.0/0",
    "aws-eks-endpoint-restricted",
    (rs) => mutated(rs, EKS, (p) => (p.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"])),
  ],
  [
    "EKS secrets not encrypted",
    "aws-eks-secrets-encryption",
    (rs) => mutated(rs, EKS, (p) => delete p.encryptionConfig),
  ],
  [
    "EKS audit log off",
    "aws-eks-control-plane-logs",
    (rs) => mutated(rs, EKS, (p) => (p.enabledClusterLogTypes = ["api"])),
  ],
  [
    "EKS scheduler log off (prod requires all five types)",
    "aws-eks-control-plane-logs",
    (rs) =>
      mutated(
        rs,
        EKS,
        (p) => (p.enabledClusterLogTypes = ["api", "audit", "authenticator", "controllerManager"]),
      ),
  ],
  [
    "SSH to GPU nodes",
    "aws-eks-nodegroup-no-ssh",
    (rs) => mutated(rs, NG, (p) => (p.remoteAccess = { ec2SshKey: "k" }), /gpu/),
  ],
  [
    "IMDSv1 allowed",
    "aws-ec2-imdsv2-required",
    (rs) =>
      mutated(
        rs,
        "aws:ec2/launchTemplate:LaunchTemplate",
        (p) => (p.metadataOptions.httpTokens = "optional"),
      ),
  ],
  [
    "RDS unencrypted",
    "aws-rds-encrypted",
    (rs) => mutated(rs, RDS, (p) => (p.storageEncrypted = false)),
  ],
  [
    "RDS public",
    "aws-rds-not-public",
    (rs) => mutated(rs, RDS, (p) => (p.publiclyAccessible = true)),
  ],
  [
    "RDS backups short",
    "aws-rds-backups",
    (rs) => mutated(rs, RDS, (p) => (p.backupRetentionPeriod = 3)),
  ],
  ["RDS single-AZ", "aws-rds-resilience", (rs) => mutated(rs, RDS, (p) => (p.multiAz = false))],
  [
    "RDS without final snapshot",
    "aws-rds-resilience",
    (rs) => mutated(rs, RDS, (p) => (p.skipFinalSnapshot = true)),
  ],
  [
    "RDS TLS not forced",
    "aws-rds-force-ssl",
    (rs) =>
      mutated(
        rs,
        "aws:rds/parameterGroup:ParameterGroup",
        (p) => (p.parameters = p.parameters.filter((x: any) => x.name !== "rds.force_ssl")),
      ),
  ],
  [
    "S3 public access allowed",
    "aws-s3-public-access-block",
    (rs) =>
      mutated(
        rs,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        (p) => (p.restrictPublicBuckets = false),
      ),
  ],
  [
    "S3 ACLs on",
    "aws-s3-ownership-enforced",
    (rs) =>
      mutated(
        rs,
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        (p) => (p.rule.objectOwnership = "ObjectWriter"),
      ),
  ],
  [
    "S3 versioning suspended",
    "aws-s3-versioning",
    (rs) =>
      mutated(
        rs,
        "aws:s3/bucketVersioning:BucketVersioning",
        (p) => (p.versioningConfiguration.status = "Suspended"),
      ),
  ],
  [
    "S3 without KMS",
    "aws-s3-sse-kms",
    (rs) =>
      mutated(
        rs,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        (p) => (p.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "AES256"),
      ),
  ],
  [
    "S3 over plain HTTP",
    "aws-s3-tls-only",
    (rs) =>
      mutated(
        rs,
        "aws:s3/bucketPolicy:BucketPolicy",
        (p) => (p.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] })),
      ),
  ],
  [
    "KMS key without rotation",
    "aws-kms-key-rotation",
    (rs) => mutated(rs, "aws:kms/key:Key", (p) => (p.enableKeyRotation = false), /secrets/),
  ],
  [
    "add-on on latest",
    "aws-eks-addon-pinned",
    (rs) => mutated(rs, "aws:eks/addon:Addon", (p) => delete p.addonVersion, /coredns/),
  ],
  [
    "EBS volumes unencrypted",
    "k8s-storageclass-encrypted",
    (rs) =>
      mutated(
        rs,
        "kubernetes:storage.k8s.io/v1:StorageClass",
        (p) => (p.parameters.encrypted = "false"),
      ),
  ],
  [
    "no flow logs",
    "aws-vpc-flow-logs",
    (rs) => rs.filter((r) => r.type !== "aws:ec2/flowLog:FlowLog"),
  ],
  ["EKS not protected", "gov-stateful-protected", (rs) => unprotected(rs, EKS)],
  ["RDS not protected", "gov-stateful-protected", (rs) => unprotected(rs, RDS)],
  ["S3 not protected", "gov-stateful-protected", (rs) => unprotected(rs, "aws:s3/bucket:Bucket")],
  ["KMS key not protected", "gov-stateful-protected", (rs) => unprotected(rs, "aws:kms/key:Key")],
  [
    "GPU budget exceeded on EKS",
    "cost-gpu-budget",
    (rs) => mutated(rs, NG, (p) => (p.scalingConfig.maxSize = 40), /gpu/),
  ],
  [
    "RDS size not allowed",
    "cost-db-size-allowed",
    (rs) => mutated(rs, RDS, (p) => (p.instanceClass = "db.r7g.16xlarge")),
  ],
];

describe("mutations of the AWS prod stack fire the named rule as mandatory", () => {
  it.each(AWS_MUTATIONS)("%s -> %s", async (_what, ruleName, mutate) => {
    const ds = await evaluate("prod", mutate(awsStacks.prod));
    const hits = ds.filter((d) => d.policyName === ruleName);
    expect(hits.length, `${ruleName} did not fire`).toBeGreaterThan(0);
    expect(hits.every(isBlocking)).toBe(true);
  });

  it("dev's EKS GPU node groups off spot fire cost-gpu-spot-scale-to-zero", async () => {
    const ds = await evaluate(
      "dev",
      mutated(awsStacks.dev, NG, (p) => (p.capacityType = "ON_DEMAND"), /gpu/),
    );
    expect(ds.some((d) => d.policyName === "cost-gpu-spot-scale-to-zero")).toBe(true);
  });
});

describe("mutations of the prod stack fire the named rule as mandatory", () => {
  it.each(MUTATIONS)("%s -> %s", async (_what, ruleName, mutate) => {
    const ds = await evaluate("prod", mutate(stacks.prod));
    const hits = ds.filter((d) => d.policyName === ruleName);
    expect(hits.length, `${ruleName} did not fire`).toBeGreaterThan(0);
    expect(hits.every(isBlocking)).toBe(true);
  });

  it("dev's GPU pools off spot fire cost-gpu-spot-scale-to-zero", async () => {
    const ds = await evaluate(
      "dev",
      mutated(stacks.dev, NP, (p) => (p.nodeConfig.spot = false), /gpu/),
    );
    expect(ds.some((d) => d.policyName === "cost-gpu-spot-scale-to-zero")).toBe(true);
  });
});

describe("the two clouds judge the same setting alike", () => {
  it("staging with database.deletionProtection false is blocked on GCP and on AWS, by the same-named setting", async () => {
    const over = { "mlops-platform:database": JSON.stringify({ deletionProtection: false }) };
    const gcp = (await runStack("staging", over)).resources;
    const aws = (await runStack("staging", { ...over, ...AWS })).resources;
    const blocked = async (
      rs: EngineResource[],
      rule: string,
      config = readPolicyConfig("staging"),
    ) => {
      await pack.configure(config);
      return (
        (await pack.analyze(rs)).filter((d) => d.policyName === rule && isBlocking(d)).length > 0
      );
    };
    expect(await blocked(gcp, "gcp-cloudsql-resilience")).toBe(true);
    expect(await blocked(aws, "aws-rds-resilience")).toBe(true);
    // Turning the requirement off is the same key on both.
    const off = {
      ...readPolicyConfig("staging"),
      "gcp-cloudsql-resilience": { requireDeletionProtection: false },
      "aws-rds-resilience": { requireDeletionProtection: false },
    };
    expect(await blocked(gcp, "gcp-cloudsql-resilience", off)).toBe(false);
    expect(await blocked(aws, "aws-rds-resilience", off)).toBe(false);
  });
});

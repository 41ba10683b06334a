/** AWS component-level tests: validation happens before any child exists; pure builders. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { irsaTrustPolicy, tlsOnlyBucketPolicy } from "../../components/aws/iamDocuments";
import { principalSlug } from "../../components/aws/eks/access";
import {
  EksGpuCluster,
  eksClusterProblems,
  type EksGpuClusterArgs,
} from "../../components/aws/eks/cluster";
import { eksKubeconfig } from "../../components/aws/eks/kubeconfig";
import {
  autoscalerNodeTemplateTags,
  eksGpuNodeGroupSpec,
} from "../../components/aws/eks/nodeGroups";
import {
  EKS_ADDONS,
  EKS_ADDON_VERSIONS,
  CLUSTER_AUTOSCALER_TAGS,
  resolveAddonVersions,
} from "../../components/aws/eks/addonVersions";
import { isZoneOf } from "../../components/aws/names";
import { isPrivateCidr, subnetCidr } from "../../components/lib/net";
import { AwsNetwork, awsSubnetLayout } from "../../components/aws/network";
import {
  AwsTrackingStore,
  rdsInstanceSettings,
  s3LifecycleRules,
  type AwsTrackingStoreArgs,
} from "../../components/aws/trackingStore";
import { gpuPool } from "../helpers/fixtures";
import { installMocks, settle, type MockSession } from "../../scripts/lib/mocks";

const pool = gpuPool;

const clusterArgs = (over: Partial<EksGpuClusterArgs> = {}): EksGpuClusterArgs => ({
  clusterName: "mlops-unit",
  region: "us-east-1",
  kubernetesVersion: "1.35",
  privateSubnetIds: ["a", "b", "c"],
  privateSubnetZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  nodeSecurityGroupId: "sg-nodes",
  serviceCidr: "10.24.0.0/20",
  authorizedNetworks: [{ name: "vpn", cidr: "203.0.113.0/24" }],
  adminPrincipals: [],
  systemPool: { minNodes: 1, maxNodes: 3 },
  gpuPools: [pool()],
  tags: { team: "ml" },
  ...over,
});

const db = {
  size: "small" as const,
  postgresVersion: 16,
  highAvailability: false,
  backupRetentionDays: 7,
  pitrRetentionDays: 3,
  diskSizeGb: 20,
  deletionProtection: false,
  finalSnapshot: false,
  applyImmediately: false,
};

const storeArgs = (over: Partial<AwsTrackingStoreArgs> = {}): AwsTrackingStoreArgs => ({
  region: "us-east-1",
  vpcId: "vpc-1",
  privateSubnetIds: ["a", "b", "c"],
  nodeSecurityGroupId: "sg-nodes",
  database: db,
  artifacts: { keepVersions: 10, forceDestroy: true },
  namePrefix: "mlops-unit",
  tags: {},
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x",
  oidcIssuerUrl: "https://x",
  ...over,
});

let session: MockSession;
beforeAll(async () => {
  session = await installMocks({ stack: "unit" });
});

const childrenOf = (name: string) => session.descendantsOf(name);

function propertyPaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(pulumi.InputPropertiesError.isInstance(e)).toBe(true);
    return (e as pulumi.InputPropertiesError).errors.map((x) => x.propertyPath);
  }
  throw new Error("expected an InputPropertiesError");
}

describe("AWS validation runs before any child is created", () => {
  it("EksGpuCluster lists every problem and creates nothing", async () => {
    const paths = propertyPaths(
      () =>
        new EksGpuCluster(
          "bad-eks",
          clusterArgs({
            kubernetesVersion: "1.20",
            authorizedNetworks: [{ name: "all", cidr: "0.0.0.0/0" }],
            adminPrincipals: ["someone"],
            serviceCidr: "100.64.0.0/16",
            gpuPools: [pool({ minNodes: 3, maxNodes: 1, zones: ["eu-west-1a"] })],
          }),
        ),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        "kubernetesVersion",
        "authorizedNetworks[0].cidr",
        "adminPrincipals[0]",
        "serviceCidr",
        "gpuPools[0].minNodes",
        "gpuPools[0].zones",
      ]),
    );
    await settle();
    expect(childrenOf("bad-eks")).toEqual([]);
  });

  it("EksGpuCluster refuses a public endpoint with no CIDRs (EKS would open it to 0.0.0.0/0)", () => {
    expect(eksClusterProblems(clusterArgs({ authorizedNetworks: [] }))).toEqual([
      expect.objectContaining({ propertyPath: "authorizedNetworks" }),
    ]);
    expect(
      eksClusterProblems(clusterArgs({ authorizedNetworks: [], privateEndpoint: true })),
    ).toEqual([]);
  });

  it("AwsNetwork refuses a VPC range the layout cannot use", async () => {
    expect(
      () =>
        new AwsNetwork("bad-vpc", {
          region: "us-east-1",
          vpcCidr: "10.0.0.0/24",
          natGateways: "single",
          flowLogs: false,
          tags: {},
          namePrefix: "x",
        }),
    ).toThrow(/vpcCidr \(10.0.0.0\/24\) must be a \/16 to \/20/);
    await settle();
    expect(childrenOf("bad-vpc")).toEqual([]);
  });

  it("AwsTrackingStore refuses backups RDS can't keep and a one-zone subnet group", async () => {
    const paths = propertyPaths(
      () =>
        new AwsTrackingStore(
          "bad-store",
          storeArgs({
            database: { ...db, backupRetentionDays: 3 },
            privateSubnetIds: ["a"],
          }),
        ),
    );
    expect(paths.sort()).toEqual(["database.backupRetentionDays", "privateSubnetIds"]);
    await settle();
    expect(childrenOf("bad-store")).toEqual([]);
  });
});

describe("AWS pure builders", () => {
  it("subnetCidr cuts a range like cidrsubnet and refuses what does not fit", () => {
    expect(subnetCidr("10.0.0.0/16", 18, 2)).toBe("10.0.128.0/18");
    expect(subnetCidr("10.0.0.0/16", 20, 15)).toBe("10.0.240.0/20");
    expect(subnetCidr("172.20.0.0/20", 24, 1)).toBe("172.20.1.0/24");
    expect(() => subnetCidr("10.0.0.0/16", 18, 4)).toThrow(/4 \/18 ranges/);
    expect(() => subnetCidr("10.0.0.0/16", 8, 0)).toThrow(/not a sub-range/);
  });

  it("zone and private-range checks", () => {
    expect(isZoneOf("us-east-1b", "us-east-1")).toBe(true);
    expect(isZoneOf("us-east-11b", "us-east-1")).toBe(false);
    expect(isZoneOf("us-east-1-bos-1a", "us-east-1")).toBe(false);
    expect(isZoneOf("us-east-1b", "")).toBe(false);
    expect(isPrivateCidr("172.20.0.0/16")).toBe(true);
    expect(isPrivateCidr("100.64.0.0/16")).toBe(false);
    expect(isPrivateCidr("10.0.0.0/7")).toBe(false);
  });

  it("the subnet layout never overlaps, for any allowed VPC size", () => {
    for (const bits of [16, 18, 20]) {
      const { privateCidrs, publicCidrs } = awsSubnetLayout(`10.0.0.0/${bits}`);
      const all = [...privateCidrs, ...publicCidrs];
      expect(new Set(all).size).toBe(6);
      const start = (c: string) =>
        c
          .split("/")[0]
          .split(".")
          .reduce((a, o) => a * 256 + Number(o), 0);
      const sorted = [...all].sort((a, b) => start(a) - start(b));
      for (let i = 1; i < sorted.length; i++) {
        const prev = sorted[i - 1];
        const size = 2 ** (32 - Number(prev.split("/")[1]));
        expect(start(prev) + size).toBeLessThanOrEqual(start(sorted[i]));
      }
    }
  });

  it("GPU node groups: catalog instance type, NVIDIA AMI, taint, spot only when asked", () => {
    const spec = eksGpuNodeGroupSpec(
      pool({ gpu: "h100", gpusPerNode: 8, spot: false, minNodes: 1 }),
    );
    expect(spec.instanceTypes).toEqual(["p5.48xlarge"]);
    expect(spec.amiType).toBe("AL2023_x86_64_NVIDIA");
    expect(spec.capacityType).toBe("ON_DEMAND");
    expect(spec.scalingConfig).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
    expect(
      spec.nodeTemplateTags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"],
    ).toBe("8");
    expect(eksGpuNodeGroupSpec(pool({ gpu: "t4" })).instanceTypes).toEqual(["g4dn.2xlarge"]);
    expect(eksGpuNodeGroupSpec(pool({ gpu: "a10g" })).instanceTypes).toEqual(["g5.2xlarge"]);
    expect(eksGpuNodeGroupSpec(pool({ gpu: "a100", gpusPerNode: 8 })).instanceTypes).toEqual([
      "p4d.24xlarge",
    ]);
  });

  it("node-template tags carry labels, taints and GPUs; none for GPUs when there are none", () => {
    expect(
      autoscalerNodeTemplateTags({ a: "1" }, [{ key: "k", value: "v", effect: "NoExecute" }], 0),
    ).toEqual({
      "k8s.io/cluster-autoscaler/node-template/label/a": "1",
      "k8s.io/cluster-autoscaler/node-template/taint/k": "v:NoExecute",
    });
  });

  it("add-on versions: a pinned row for every supported minor, overrides on top, gaps reported", () => {
    for (const [minor, row] of Object.entries(EKS_ADDON_VERSIONS)) {
      expect(Object.keys(row).sort()).toEqual([...EKS_ADDONS].sort());
      expect(row["kube-proxy"].startsWith(`v${minor}.`), minor).toBe(true);
      expect(CLUSTER_AUTOSCALER_TAGS[minor], minor).toMatch(new RegExp(`^v${minor}\\.`));
    }
    const over = resolveAddonVersions("1.33", { coredns: "v1.12.4-eksbuild.40" });
    expect("versions" in over && over.versions.coredns).toBe("v1.12.4-eksbuild.40");
    expect(resolveAddonVersions("1.29")).toEqual({ missing: [...EKS_ADDONS] });
  });

  it("kubeconfig execs `aws eks get-token` for this cluster and region", () => {
    const doc = JSON.parse(eksKubeconfig("c1", "https://x", "Q0E=", "eu-west-1"));
    expect(doc.clusters[0].cluster).toEqual({
      server: "https://x",
      "certificate-authority-data": "Q0E=",
    });
    expect(doc.users[0].user.exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "c1",
      "--region",
      "eu-west-1",
      "--output",
      "json",
    ]);
  });

  it("principal slugs are stable, readable and resource-name safe", () => {
    expect(principalSlug("arn:aws:iam::123456789012:role/platform/Admins")).toBe("role-admins");
    expect(principalSlug("arn:aws:iam::123456789012:user/jane.doe")).toBe("user-jane-doe");
  });

  it("RDS settings: final snapshot only when asked; storage autoscaling capped", () => {
    const dev = rdsInstanceSettings({ ...db, finalSnapshot: false }, { namePrefix: "p" });
    expect(dev.skipFinalSnapshot).toBe(true);
    expect("finalSnapshotIdentifier" in dev).toBe(false);
    expect(dev.maxAllocatedStorage).toBe(80);
    const prod = rdsInstanceSettings(
      { ...db, size: "xlarge", highAvailability: true, diskSizeGb: 20000, finalSnapshot: true },
      { namePrefix: "p" },
    );
    expect(prod).toMatchObject({
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "p-mlflow-final-snapshot",
      multiAz: true,
      instanceClass: "db.m7g.2xlarge",
      maxAllocatedStorage: 65536,
    });
  });

  it("RDS settings: a major version bump in config is allowed; changes wait for the window unless applyImmediately", () => {
    const later = rdsInstanceSettings({ ...db, postgresVersion: 17 }, { namePrefix: "p" });
    expect(later).toMatchObject({
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
      autoMinorVersionUpgrade: true,
      applyImmediately: false,
    });
    expect(
      rdsInstanceSettings({ ...db, applyImmediately: true }, { namePrefix: "p" }).applyImmediately,
    ).toBe(true);
  });

  it("S3 lifecycle keeps the newest N noncurrent versions, the same N as GCS", () => {
    const [keep] = s3LifecycleRules(7);
    expect(keep.noncurrentVersionExpiration).toEqual({
      newerNoncurrentVersions: 7,
      noncurrentDays: 1,
    });
  });

  it("IRSA trust names exactly one service account; the bucket policy denies plain HTTP on bucket and objects", () => {
    const trust = irsaTrustPolicy("arn:p", "https://oidc.example/id/1", "ns", "sa");
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        "oidc.example/id/1:sub": "system:serviceaccount:ns:sa",
        "oidc.example/id/1:aud": "sts.amazonaws.com",
      },
    });
    expect(tlsOnlyBucketPolicy("arn:aws:s3:::b").Statement[0]).toMatchObject({
      Effect: "Deny",
      Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    });
  });
});

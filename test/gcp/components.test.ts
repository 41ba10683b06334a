/** Component-level tests: validation happens before any child exists; pure builders. */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  GkeGpuCluster,
  gkeClusterProblems,
  gkeGpuPoolSpec,
  gkeKubeconfig,
  gkeNodePoolNameProblems,
  type GkeGpuClusterArgs,
} from "../../components/gcp/gkeCluster";
import { eksGpuProblems, eksInstanceType } from "../../components/aws/gpuCatalog";
import { GPU_TAINT } from "../../components/contracts";
import { GKE_GPU_ZONES, gkeGpuPlacement, gkeGpuProblems } from "../../components/gcp/gpuCatalog";
import { maxGpus } from "../../components/model";
import { GcpNetwork, gcpNetworkProblems } from "../../components/gcp/network";
import { GcpTrackingStore, keepNewestVersionsRule } from "../../components/gcp/trackingStore";
import { isPinnedImage } from "../../components/lib/images";
import { gpuPool } from "../helpers/fixtures";
import { installMocks, settle, type MockSession } from "../../scripts/lib/mocks";

const pool = gpuPool;

const clusterArgs = (over: Partial<GkeGpuClusterArgs> = {}): GkeGpuClusterArgs => ({
  project: "p",
  region: "us-central1",
  network: "net",
  subnetwork: "sub",
  podRangeName: "pods",
  serviceRangeName: "services",
  controlPlaneCidr: "172.16.0.0/28",
  authorizedNetworks: [{ name: "vpn", cidr: "203.0.113.0/24" }],
  systemPool: { minNodes: 1, maxNodes: 3 },
  gpuPools: [pool()],
  labels: { environment: "dev" },
  ...over,
});

let session: MockSession;
beforeAll(async () => {
  session = await installMocks({ stack: "unit" });
});

const childrenOf = (name: string) => session.descendantsOf(name);

describe("validation runs before any child is created", () => {
  it("GkeGpuCluster rejects a world-open API and min > max, listing both, with no children", async () => {
    let err: unknown;
    try {
      new GkeGpuCluster(
        "bad-cluster",
        clusterArgs({
          authorizedNetworks: [{ name: "all", cidr: "0.0.0.0/0" }],
          gpuPools: [pool({ minNodes: 5, maxNodes: 1 })],
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(pulumi.InputPropertiesError.isInstance(err)).toBe(true);
    const paths = (err as pulumi.InputPropertiesError).errors.map((e) => e.propertyPath);
    expect(paths).toEqual(
      expect.arrayContaining(["authorizedNetworks[0].cidr", "gpuPools[0].minNodes"]),
    );
    await settle();
    expect(childrenOf("bad-cluster")).toEqual([]);
  });

  it("GcpNetwork rejects overlapping ranges with no children", async () => {
    expect(
      () =>
        new GcpNetwork("bad-net", {
          region: "us-central1",
          nodeCidr: "10.0.0.0/16",
          podCidr: "10.0.0.0/14",
          serviceCidr: "10.8.0.0/20",
        }),
    ).toThrow(/podCidr 10\.\S+ overlaps nodeCidr/);
    await settle();
    expect(childrenOf("bad-net")).toEqual([]);
  });

  it("GcpTrackingStore rejects Postgres < 15 and a zero keep count", async () => {
    expect(
      () =>
        new GcpTrackingStore("bad-store", {
          project: "p",
          region: "us-central1",
          network: "n",
          privateServiceConnection: new pulumi.ComponentResource("x:y:Z", "psa"),
          database: {
            size: "small",
            postgresVersion: 14,
            highAvailability: false,
            backupRetentionDays: 7,
            pitrRetentionDays: 3,
            diskSizeGb: 20,
            deletionProtection: false,
            finalSnapshot: false,
            applyImmediately: false,
          },
          artifacts: { keepVersions: 0, forceDestroy: false },
          labels: {},
          workloadIdentityPool: "p.svc.id.goog",
          accountPrefix: "mlops-dev",
        }),
    ).toThrow(
      /database.postgresVersion PostgreSQL 14 is too old: use 15 or newer.*artifacts.keepVersions/,
    );
    await settle();
    expect(childrenOf("bad-store")).toEqual([]);
  });

  it("a valid cluster creates its children, all named <name>-<role> and parented to it", async () => {
    new GkeGpuCluster("good", clusterArgs());
    await settle();
    const kids = childrenOf("good");
    expect(kids.length).toBeGreaterThan(5);
    for (const k of kids) expect(k.name.startsWith("good-"), k.name).toBe(true);
  });
});

describe("pure builders", () => {
  it("isPinnedImage accepts version tags and digests, refuses latest and untagged", () => {
    expect(isPinnedImage("burakince/mlflow:3.15.1")).toBe(true);
    expect(isPinnedImage(`repo/app@sha256:${"a".repeat(64)}`)).toBe(true);
    expect(isPinnedImage("burakince/mlflow:latest")).toBe(false);
    expect(isPinnedImage("burakince/mlflow")).toBe(false);
  });
  it("gkeClusterProblems is empty for good args", () => {
    expect(gkeClusterProblems(clusterArgs())).toEqual([]);
  });
  it("gcpNetworkProblems flags a non-CIDR", () => {
    expect(
      gcpNetworkProblems({
        region: "r",
        nodeCidr: "x",
        podCidr: "10.20.0.0/14",
        serviceCidr: "10.24.0.0/20",
      })[0].propertyPath,
    ).toBe("nodeCidr");
  });
  it("GPU pool spec: spot pools take capacity in any zone, on-demand balance", () => {
    expect(gkeGpuPoolSpec(pool(), "us-central1").autoscaling.locationPolicy).toBe("ANY");
    expect(gkeGpuPoolSpec(pool({ spot: false, minNodes: 1 }), "us-central1")).toMatchObject({
      autoscaling: { locationPolicy: "BALANCED", totalMinNodeCount: 1 },
      initialNodeCount: 0,
    });
  });
  it("GKE placement maps every kind to its machine family", () => {
    expect(gkeGpuPlacement(pool({ gpu: "h100", gpusPerNode: 8 }), "us-central1").machineType).toBe(
      "a3-highgpu-8g",
    );
    expect(
      gkeGpuPlacement(pool({ gpu: "a100-80gb", gpusPerNode: 4 }), "us-central1").acceleratorType,
    ).toBe("nvidia-a100-80gb");
    expect(
      gkeGpuPlacement(pool({ machineType: "g2-standard-16" }), "us-central1").machineType,
    ).toBe("g2-standard-16");
    expect(gkeGpuProblems(pool({ gpu: "t4", gpusPerNode: 8 }), "us-central1")[0]).toMatch(
      /use one of 1, 2, 4/,
    );
  });
  it("h100: on-demand a3-highgpu-1g/2g/4g are refused (Spot or flex-start only), 8g and Spot pass", () => {
    for (const n of [1, 2, 4]) {
      expect(
        gkeGpuProblems(pool({ gpu: "h100", gpusPerNode: n, spot: false }), "us-central1"),
      ).toEqual([
        `a3-highgpu-${n}g is sold only as Spot or flex-start, not on demand: set spot: true, or gpusPerNode: 8 (a3-highgpu-8g).`,
      ]);
      expect(
        gkeGpuProblems(pool({ gpu: "h100", gpusPerNode: n, spot: true }), "us-central1"),
      ).toEqual([]);
    }
    expect(
      gkeGpuProblems(pool({ gpu: "h100", gpusPerNode: 8, spot: false }), "us-central1"),
    ).toEqual([]);
    // The override names the shape: an explicit a3-highgpu-2g on demand is refused too.
    expect(
      gkeGpuProblems(
        pool({ gpu: "h100", gpusPerNode: 2, spot: false, machineType: "a3-highgpu-2g" }),
        "us-central1",
      )[0],
    ).toMatch(/a3-highgpu-2g is sold only as Spot/);
  });
  it("h100 zones are where a3-highgpu machines exist, not every zone listing the accelerator", () => {
    // gcloud compute machine-types list --filter="name~^a3-highgpu" (via skypilot-catalog, 2026-11-22)
    expect(GKE_GPU_ZONES["us-west1"].h100).toEqual(["us-west1-a", "us-west1-b"]);
    expect(GKE_GPU_ZONES["europe-west4"].h100).toEqual(["europe-west4-b", "europe-west4-c"]);
    expect(GKE_GPU_ZONES["europe-west1"].h100).toEqual(["europe-west1-b", "europe-west1-c"]);
  });
  it("EKS table: t4 -> g4dn, a10g -> g5, l4 -> g6, a100 -> p4d, h100 -> p5", () => {
    expect(eksInstanceType(pool({ gpu: "t4" }))).toMatch(/^g4dn\./);
    expect(eksInstanceType(pool({ gpu: "a10g" }))).toMatch(/^g5\./);
    expect(eksInstanceType(pool({ gpu: "l4" }))).toMatch(/^g6\./);
    expect(eksInstanceType(pool({ gpu: "a100", gpusPerNode: 8 }))).toBe("p4d.24xlarge");
    expect(eksInstanceType(pool({ gpu: "h100", gpusPerNode: 8 }))).toBe("p5.48xlarge");
    expect(eksGpuProblems(pool({ gpu: "h100", gpusPerNode: 1 }))[0]).toMatch(/use one of 8/);
  });
  it("maxGpus sums maxNodes x gpusPerNode", () => {
    expect(maxGpus([pool({ maxNodes: 4, gpusPerNode: 2 }), pool({ maxNodes: 3 })])).toBe(11);
  });
  it("the GPU taint is nvidia.com/gpu NoSchedule", () => {
    expect(GPU_TAINT).toEqual({ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" });
  });
  it("node pool names: logical name + Pulumi's 8-character suffix must fit GKE's 40", () => {
    expect(
      gkeNodePoolNameProblems("mlops-prod-cluster", [{ name: "l4" }, { name: "t4x" }]),
    ).toEqual([]);
    // 32 + 8 = 40 fits; one more character does not.
    expect(gkeNodePoolNameProblems("c".repeat(20), [{ name: "abcdefg" }])).toEqual([]);
    expect(gkeNodePoolNameProblems("c".repeat(20), [{ name: "abcdefgh" }])).toEqual([
      {
        propertyPath: "gpuPools[0].name",
        reason: expect.stringMatching(/41 characters, over GKE's 40: .* by 1\.$/),
      },
    ]);
    expect(gkeNodePoolNameProblems("c".repeat(26), [])).toEqual([
      {
        propertyPath: "clusterName",
        reason: expect.stringMatching(
          /system node pool's name .* 41 characters.*shorten namePrefix by 1\./,
        ),
      },
    ]);
  });
  it("kubeconfig uses the exec plugin and no static credential, against the DNS endpoint", () => {
    const doc = JSON.parse(gkeKubeconfig("c", "gke-abc-1.us-central1.gke.goog"));
    expect(doc.users[0].user).not.toHaveProperty("token");
    expect(doc.users[0].user.exec.args).toBeUndefined(); // gcloud refuses ADC with DNS endpoints
    expect(doc.clusters[0].cluster).toEqual({ server: "https://gke-abc-1.us-central1.gke.goog" });
    expect(doc.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
  });
  it("keep-N lifecycle deletes only noncurrent versions beyond N", () => {
    expect(keepNewestVersionsRule(5)).toEqual({
      action: { type: "Delete" },
      condition: { numNewerVersions: 6, withState: "ARCHIVED" },
    });
  });
});

/**
 * What a real second `pulumi up` and a `pulumi destroy` do is decided by resource
 * options and provider arguments that mocks never exercise; these tests pin them
 * (the reasons are cited next to each in the components).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { recordedStack, runStack } from "./helpers/stack";
import { SPAWN_TEST_TIMEOUT_MS } from "./helpers/timeouts";
import { stackFileConfig, type MockSession } from "../scripts/lib/mocks";
import { REQUIRED_GCP_APIS } from "../components/gcp/projectServices";
import { gcpComponentNames } from "../components/gcp/cloudLayer";
import { gkeNodePoolNames } from "../components/gcp/gkeCluster";
import { POOL_LABEL } from "../components/model";

const AWS = { "mlops-platform:cloud": "aws", "aws:region": "us-east-1" };
const runs: Record<string, MockSession> = {};
beforeAll(async () => {
  for (const env of ["dev", "prod"] as const) {
    runs[`gcp/${env}`] = await recordedStack(env);
    runs[`aws/${env}`] = await recordedStack(env, "aws");
  }
}, SPAWN_TEST_TIMEOUT_MS);

describe("GKE: a second up does not replace the cluster or its pools", () => {
  it("the cluster ignores nodeConfig and initialNodeCount after create (TPG #12070)", () => {
    const c = runs["gcp/prod"].one("gcp:container/cluster:Cluster");
    expect(c.ignoreChanges.sort()).toEqual(["initialNodeCount", "nodeConfig"]);
  });
  it("every node pool fixes initialNodeCount at create and ignores it after; GPU pools start at 0", () => {
    const pools = runs["gcp/prod"].ofType("gcp:container/nodePool:NodePool");
    expect(pools.length).toBeGreaterThanOrEqual(2);
    for (const p of pools) expect(p.ignoreChanges, p.name).toEqual(["initialNodeCount"]);
    const gpu = pools.filter((p) => p.name.includes("-gpu-"));
    for (const p of gpu) expect(p.inputs.initialNodeCount, p.name).toBe(0);
  });
});

describe("GCP: a fresh project works on the first up", () => {
  it("enables every API the platform calls and leaves them on at destroy", () => {
    const run = runs["gcp/dev"];
    const services = run.ofType("gcp:projects/service:Service");
    const project = run.ofType("gcp:serviceaccount/account:Account")[0].inputs.project;
    expect(services.map((s) => s.inputs.service).sort()).toEqual(
      Object.keys(REQUIRED_GCP_APIS).sort(),
    );
    for (const s of services) {
      expect(s.inputs.project, s.name).toBe(project);
      expect(s.inputs.disableOnDestroy, s.name).toBe(false);
      expect(s.inputs.disableDependentServices, s.name).toBe(false);
    }
  });
  it("every other GCP resource waits, directly or through another, for every enabled API", () => {
    const run = runs["gcp/prod"];
    const services = run.ofType("gcp:projects/service:Service").map((s) => s.urn);
    const gcpResources = run.resources.filter(
      (r) => r.custom && r.type.startsWith("gcp:") && r.type !== "gcp:projects/service:Service",
    );
    expect(gcpResources.length).toBeGreaterThan(10);
    for (const r of gcpResources) {
      const deps = run.transitiveDependencies(r);
      expect(
        services.filter((s) => !deps.has(s)),
        `${r.type} ${r.name} does not wait for`,
      ).toEqual([]);
    }
  });
});

describe("GKE node pool names", () => {
  it("are the names the config check measures against GKE's 40 characters", () => {
    const pools = runs["gcp/prod"].ofType("gcp:container/nodePool:NodePool");
    const gpu = pools.filter((p) => p.inputs.nodeConfig.guestAccelerators?.length);
    const expected = gkeNodePoolNames(
      gcpComponentNames("mlops-prod").cluster,
      gpu.map((p) => ({ name: p.inputs.nodeConfig.labels[POOL_LABEL] })),
    );
    expect(pools.map((p) => p.name).sort()).toEqual([expected.system, ...expected.gpu].sort());
  });
});

describe("GCP destroy finishes", () => {
  it("the Private Service Access connection and the MLflow database are abandoned, not deleted", () => {
    const run = runs["gcp/dev"];
    expect(run.one("gcp:servicenetworking/connection:Connection").inputs.deletionPolicy).toBe(
      "ABANDON",
    );
    expect(run.one("gcp:sql/database:Database").inputs.deletionPolicy).toBe("ABANDON");
  });
});

describe("AWS destroy keeps what it must", () => {
  const keys = (env: string) =>
    Object.fromEntries(
      runs[`aws/${env}`]
        .ofType("aws:kms/key:Key")
        .map((k) => [k.name.replace(`mlops-${env}-`, ""), k.retainOnDelete]),
    );
  it("prod: the keys of the final snapshot and of the retained bucket outlive a destroy", () => {
    expect(keys("prod")).toMatchObject({
      "tracking-mlflow-db": true,
      "tracking-mlflow-artifacts": true,
    });
  });
  it("dev (no final snapshot, force-destroyed bucket): the keys go with the stack", () => {
    expect(keys("dev")).toMatchObject({
      "tracking-mlflow-db": false,
      "tracking-mlflow-artifacts": false,
    });
  });
});

describe("AWS: the EKS control-plane log group survives a destroy and a re-create", () => {
  const group = (run: MockSession) =>
    run
      .ofType("aws:cloudwatch/logGroup:LogGroup")
      .find((g) => g.inputs.name?.startsWith("/aws/eks/"))!;
  it("has the name EKS writes to; staging/prod keep it at destroy, dev deletes it", () => {
    expect(group(runs["aws/dev"]).inputs.name).toBe("/aws/eks/mlops-dev/cluster");
    expect(group(runs["aws/dev"]).retainOnDelete).toBe(false);
    expect(group(runs["aws/prod"]).retainOnDelete).toBe(true);
    expect(group(runs["aws/prod"]).importId).toBe("");
  });
  it("cluster.adoptLogGroup imports the existing group, ignoring the retention and tags it may lack", async () => {
    const run = await runStack("dev", {
      ...AWS,
      "mlops-platform:cluster": {
        ...(stackFileConfig("dev")["mlops-platform:cluster"] &&
          JSON.parse(stackFileConfig("dev")["mlops-platform:cluster"])),
        adoptLogGroup: true,
      },
    });
    const g = group(run);
    expect(g.importId).toBe("/aws/eks/mlops-dev/cluster");
    expect(g.ignoreChanges.sort()).toEqual(["retentionInDays", "tags", "tagsAll"]);
    expect(g.deleteBeforeReplace).toBe(true);
  });
});

describe("resources whose identity is fixed by their inputs are replaced delete-first", () => {
  // A name we set (not Pulumi's autonaming) or a link keyed by what it joins: a create-first
  // replacement collides with, or is undone by the delete of, the old object.
  const OWN_NAME_KEYS = ["name", "accountId", "identifier"];
  const BINDINGS = [
    "gcp:projects/iAMMember:IAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/addon:Addon",
  ];
  // Scoped to their Cloud SQL instance and replaced only with it (a new instance has neither);
  // delete-first would not help either: their deletionPolicy is ABANDON.
  const EXEMPT = ["gcp:sql/database:Database", "gcp:sql/user:User"];
  for (const key of ["gcp/prod", "aws/prod", "aws/dev"]) {
    it(`${key}: every fixed-name resource and every binding has deleteBeforeReplace`, () => {
      const fixed = runs[key].resources.filter(
        (r) =>
          r.custom &&
          !r.type.startsWith("kubernetes:") &&
          !r.type.startsWith("pulumi:") &&
          !EXEMPT.includes(r.type) &&
          (BINDINGS.includes(r.type) || OWN_NAME_KEYS.some((k) => r.inputs[k] !== undefined)),
      );
      expect(fixed.length).toBeGreaterThan(5);
      expect(fixed.filter((r) => !r.deleteBeforeReplace).map((r) => `${r.type} ${r.name}`)).toEqual(
        [],
      );
    });
  }
});

import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  installMocks,
  settle,
  stackFileConfig,
  type RecordedResource,
} from "../../scripts/lib/mocks";
import { recordedStack, runStack, type StackRun } from "../helpers/stack";

const T = {
  network: "gcp:compute/network:Network",
  subnet: "gcp:compute/subnetwork:Subnetwork",
  router: "gcp:compute/router:Router",
  nat: "gcp:compute/routerNat:RouterNat",
  psaRange: "gcp:compute/globalAddress:GlobalAddress",
  psa: "gcp:servicenetworking/connection:Connection",
  cluster: "gcp:container/cluster:Cluster",
  pool: "gcp:container/nodePool:NodePool",
  sa: "gcp:serviceaccount/account:Account",
  projectIam: "gcp:projects/iAMMember:IAMMember",
  saIam: "gcp:serviceaccount/iAMMember:IAMMember",
  sql: "gcp:sql/databaseInstance:DatabaseInstance",
  db: "gcp:sql/database:Database",
  user: "gcp:sql/user:User",
  password: "random:index/randomPassword:RandomPassword",
  bucket: "gcp:storage/bucket:Bucket",
  bucketIam: "gcp:storage/bucketIAMMember:BucketIAMMember",
  k8sProvider: "pulumi:providers:kubernetes",
};

const runs: Record<string, StackRun> = {};

beforeAll(async () => {
  for (const env of ["dev", "staging", "prod"] as const) runs[env] = await recordedStack(env);
});

describe.each(["dev", "staging", "prod"] as const)("GCP stack %s under mocks", (env) => {
  const run = () => runs[env];
  const one = (type: string) => run().one(type);
  const gpuPools = () =>
    run()
      .ofType(T.pool)
      .filter((p) => p.name.includes("-gpu-"));

  it("registers the whole cloud layer, every child parented under MlopsPlatform", () => {
    for (const t of Object.values(T)) expect(run().ofType(t).length, t).toBeGreaterThan(0);
    const root = run().one("mlops:index:MlopsPlatform");
    for (const r of run().resources) {
      if (r === root) continue;
      expect(run().ancestors(r).at(-1)?.urn, `${r.type} ${r.name}`).toBe(root.urn);
      expect(r.name.startsWith(`mlops-${env}-`), r.name).toBe(true);
    }
  });

  it("gives every resource its own URN", () => {
    const urns = run().resources.map((r) => r.urn);
    expect(urns.filter((u, i) => urns.indexOf(u) !== i)).toEqual([]);
  });

  it("network: custom-mode VPC, subnet with pod/service ranges, router + NAT, private service access", () => {
    expect(one(T.network).inputs.autoCreateSubnetworks).toBe(false);
    const subnet = one(T.subnet).inputs;
    expect(subnet.ipCidrRange).toBe("10.10.0.0/20");
    expect(subnet.privateIpGoogleAccess).toBe(true);
    expect(subnet.secondaryIpRanges).toEqual([
      { rangeName: "pods", ipCidrRange: "10.20.0.0/14" },
      { rangeName: "services", ipCidrRange: "10.24.0.0/20" },
    ]);
    expect(subnet.logConfig !== undefined).toBe(env === "prod");
    expect(one(T.nat).inputs.sourceSubnetworkIpRangesToNat).toBe("ALL_SUBNETWORKS_ALL_IP_RANGES");
    expect(one(T.psaRange).inputs).toMatchObject({
      purpose: "VPC_PEERING",
      addressType: "INTERNAL",
    });
    expect(one(T.psa).inputs.service).toBe("servicenetworking.googleapis.com");
  });

  it("cluster: private nodes, authorized networks without 0.0.0.0/0, hardened control plane", () => {
    const c = one(T.cluster).inputs;
    expect(c.name).toBe(`mlops-${env}`);
    expect(c.location).toBe("us-central1");
    expect(c.removeDefaultNodePool).toBe(true);
    expect(c.privateClusterConfig).toMatchObject({
      enablePrivateNodes: true,
      masterIpv4CidrBlock: "172.16.0.0/28",
    });
    expect(c.masterAuthorizedNetworksConfig.cidrBlocks).toEqual([
      { cidrBlock: "203.0.113.0/24", displayName: "office-vpn" },
    ]);
    expect(
      c.masterAuthorizedNetworksConfig.cidrBlocks.some(
        (b: { cidrBlock: string }) => b.cidrBlock === "0.0.0.0/0",
      ),
    ).toBe(false);
    expect(c.workloadIdentityConfig.workloadPool).toBe(`my-gcp-project-${env}.svc.id.goog`);
    expect(c.releaseChannel.channel).toBe(env === "prod" ? "STABLE" : "REGULAR");
    expect(c.enableShieldedNodes).toBe(true);
    expect(c.datapathProvider).toBe("ADVANCED_DATAPATH");
    expect(c.enableLegacyAbac).toBe(false);
    expect(c.masterAuth.clientCertificateConfig.issueClientCertificate).toBe(false);
    expect(c.networkingMode).toBe("VPC_NATIVE");
    expect(c.ipAllocationPolicy).toEqual({
      clusterSecondaryRangeName: "pods",
      servicesSecondaryRangeName: "services",
    });
    expect(c.resourceLabels).toMatchObject({
      environment: env,
      platform: "mlops",
      "managed-by": "pulumi",
    });
    expect(c.deletionProtection).toBe(env !== "dev");
  });

  it("nodes: dedicated least-privilege SA, GKE metadata server, shielded, COS, autorepair/upgrade", () => {
    const nodeSa = run().one(T.sa, `mlops-${env}-cluster-nodes`);
    const roles = run()
      .ofType(T.projectIam)
      .map((m) => m.inputs.role)
      .sort();
    expect(roles).toEqual([
      "roles/artifactregistry.reader",
      "roles/autoscaling.metricsWriter",
      "roles/logging.logWriter",
      "roles/monitoring.metricWriter",
      "roles/monitoring.viewer",
      "roles/stackdriver.resourceMetadata.writer",
    ]);
    expect(roles.some((r) => /owner|editor|admin/i.test(r))).toBe(false);
    for (const pool of run().ofType(T.pool)) {
      const nc = pool.inputs.nodeConfig;
      expect(nc.serviceAccount).toBe(nodeSa.state.email);
      expect(nc.workloadMetadataConfig.mode).toBe("GKE_METADATA");
      expect(nc.shieldedInstanceConfig).toEqual({
        enableSecureBoot: true,
        enableIntegrityMonitoring: true,
      });
      expect(nc.imageType).toBe("COS_CONTAINERD");
      expect(nc.metadata["disable-legacy-endpoints"]).toBe("true");
      expect(pool.inputs.management).toEqual({ autoRepair: true, autoUpgrade: true });
    }
    expect(one(T.cluster).inputs.nodeConfig.serviceAccount).toBe(nodeSa.state.email);
  });

  it("GPU pools: L4 on g2 with GKE-installed drivers, only in L4 zones, env-specific autoscaling", () => {
    const [pool] = gpuPools();
    expect(gpuPools()).toHaveLength(1);
    const nc = pool.inputs.nodeConfig;
    expect(nc.machineType).toBe("g2-standard-8");
    expect(nc.guestAccelerators).toEqual([
      { type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } },
    ]);
    expect(pool.inputs.nodeLocations).toEqual(["us-central1-a", "us-central1-b", "us-central1-c"]);
    expect(nc.labels).toEqual({ "mlops.dev/pool": "l4", "mlops.dev/gpu": "l4" });
    const expected = { dev: [0, 2, true], staging: [0, 4, true], prod: [1, 8, false] }[env];
    expect(pool.inputs.autoscaling).toMatchObject({
      totalMinNodeCount: expected[0],
      totalMaxNodeCount: expected[1],
    });
    expect(nc.spot ?? false).toBe(expected[2]);
  });

  it("kubeconfig is a secret using gke-gcloud-auth-plugin; the k8s provider uses it", async () => {
    const kubeconfig = run().exports.kubeconfig;
    expect(kubeconfig.secret).toBe(true);
    const doc = JSON.parse(kubeconfig.value as string);
    expect(doc.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
    // The DNS endpoint, which CI reaches without an IP allow-list; the IP endpoint keeps it.
    expect(doc.clusters[0].cluster.server).toMatch(
      /^https:\/\/gke-[0-9a-f]+-\d+\.[a-z0-9-]+\.gke\.goog$/,
    );
    const c = one("gcp:container/cluster:Cluster");
    expect(c.inputs.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic).toBe(true);
    expect(c.inputs.masterAuthorizedNetworksConfig.cidrBlocks.length).toBeGreaterThan(0);
    expect(one(T.k8sProvider).secretPaths).toContain("kubeconfig");
  });

  it("Cloud SQL: PostgreSQL >= 15, private IP only, TLS, backups + PITR, insights, log flags", () => {
    const sql = one(T.sql);
    expect(Number(sql.inputs.databaseVersion.replace("POSTGRES_", ""))).toBeGreaterThanOrEqual(15);
    const s = sql.inputs.settings;
    expect(s.ipConfiguration.ipv4Enabled).toBe(false);
    expect(s.ipConfiguration.privateNetwork).toBe(one(T.network).id);
    expect(s.ipConfiguration.sslMode).toBe("ENCRYPTED_ONLY");
    expect(s.backupConfiguration).toMatchObject({
      enabled: true,
      pointInTimeRecoveryEnabled: true,
    });
    expect(s.backupConfiguration.backupRetentionSettings.retainedBackups).toBe(
      { dev: 7, staging: 14, prod: 30 }[env],
    );
    expect(s.insightsConfig.queryInsightsEnabled).toBe(true);
    const flags = Object.fromEntries(
      s.databaseFlags.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(flags).toMatchObject({
      log_connections: "on",
      log_disconnections: "on",
      log_checkpoints: "on",
      log_lock_waits: "on",
    });
    expect(s.tier).toBe(
      { dev: "db-custom-1-3840", staging: "db-custom-2-7680", prod: "db-custom-4-15360" }[env],
    );
    expect(s.availabilityType).toBe(env === "prod" ? "REGIONAL" : "ZONAL");
    expect(s.deletionProtectionEnabled).toBe(env !== "dev");
    expect(sql.inputs.deletionProtection).toBe(env !== "dev");
  });

  it("database user gets a generated password, passed as a secret, never a literal", () => {
    const pw = run().one(T.password, `mlops-${env}-tracking-db-password`);
    expect(pw.inputs.length).toBeGreaterThanOrEqual(32);
    const user = one(T.user);
    expect(user.secretPaths).toContain("password");
    expect(user.inputs.password).toBe(pw.state.result);
    expect(one(T.db).inputs.name).toBe("mlflow");
  });

  it("artifact bucket: versioned, keep-10 lifecycle, uniform access, public access prevention, forceDestroy only in dev", () => {
    const b = one(T.bucket).inputs;
    expect(b.versioning).toEqual({ enabled: true });
    expect(b.lifecycleRules).toEqual([
      // 10 noncurrent kept: GCS counts the live version among the newer ones.
      { action: { type: "Delete" }, condition: { numNewerVersions: 11, withState: "ARCHIVED" } },
    ]);
    expect(b.uniformBucketLevelAccess).toBe(true);
    expect(b.publicAccessPrevention).toBe("enforced");
    expect(b.forceDestroy).toBe(env === "dev");
    expect(b.labels.environment).toBe(env);
  });

  it("MLflow identity: object access on this bucket only, bound to mlflow/mlflow via workload identity", () => {
    const gsa = run().one(T.sa, `mlops-${env}-tracking-mlflow`);
    const grants = run().ofType(T.bucketIam);
    expect(grants).toHaveLength(1);
    expect(grants[0].inputs).toEqual({
      bucket: one(T.bucket).state.name,
      role: "roles/storage.objectUser",
      member: gsa.state.member,
    });
    // No project-wide role for MLflow's identity.
    expect(
      run()
        .ofType(T.projectIam)
        .some((m) => m.inputs.member === gsa.state.member),
    ).toBe(false);
    const wi = one(T.saIam).inputs;
    expect(wi.role).toBe("roles/iam.workloadIdentityUser");
    expect(wi.serviceAccountId).toBe(gsa.state.name);
    expect(wi.member).toBe(`serviceAccount:my-gcp-project-${env}.svc.id.goog[mlflow/mlflow]`);
  });

  it("prod protects cluster, database and bucket; other envs don't", () => {
    for (const t of [T.cluster, T.sql, T.bucket]) expect(one(t).protect, t).toBe(env === "prod");
    expect(run().resources.filter((r) => r.protect).length).toBe(env === "prod" ? 3 : 0);
  });

  it("the database waits for private service access, never for the cluster", () => {
    const sql = one(T.sql);
    const deps = run().transitiveDependencies(sql);
    expect(deps.has(one(T.psa).urn)).toBe(true);
    const clusterSide = (r: RecordedResource) =>
      r.type === T.cluster ||
      r.type === T.pool ||
      run()
        .ancestors(r)
        .some((a) => a.type === "mlops:cluster:GkeGpuCluster");
    const waitsOnCluster = [...deps]
      .map((u) => run().byUrn(u))
      .filter((r): r is RecordedResource => !!r && clusterSide(r));
    expect(waitsOnCluster.map((r) => r.name)).toEqual([]);
  });

  it("exports cluster name, secret kubeconfig, bucket and connection name, nothing secret in plain text", async () => {
    const e = run().exports;
    expect(e.clusterName.value).toBe(`mlops-${env}`);
    expect(e.artifactBucket.value).toBe(one(T.bucket).state.name);
    expect(e.databaseConnectionName.value).toBe(one(T.sql).state.connectionName);
    for (const [k, v] of Object.entries(e)) {
      const text = JSON.stringify(v.value);
      if (k !== "kubeconfig")
        expect(text).not.toContain(
          run().one(T.password, `mlops-${env}-tracking-db-password`).state.result,
        );
    }
  });
});

describe("GCP stack differences driven by config", () => {
  it("a T4 pool with explicit zones maps to n1 + nvidia-tesla-t4 in those zones", async () => {
    const run = await runStack("dev", {
      "mlops-platform:gpuPools": [
        {
          name: "t4",
          gpu: "t4",
          gpusPerNode: 2,
          maxNodes: 3,
          zones: ["us-central1-f"],
          driverVersion: "LATEST",
        },
      ],
    });
    const pool = run.ofType(T.pool).find((p) => p.name === "mlops-dev-cluster-gpu-t4")!;
    expect(pool.inputs.nodeConfig.machineType).toBe("n1-standard-16");
    expect(pool.inputs.nodeConfig.guestAccelerators[0]).toMatchObject({
      type: "nvidia-tesla-t4",
      count: 2,
      gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" },
    });
    expect(pool.inputs.nodeLocations).toEqual(["us-central1-f"]);
  });

  it("keepVersions from config reaches the lifecycle rule", async () => {
    const run = await runStack("staging", { "mlops-platform:artifacts": { keepVersions: 3 } });
    expect(run.one(T.bucket).inputs.lifecycleRules[0].condition.numNewerVersions).toBe(4);
  });

  it("invalid config registers no resource at all", async () => {
    vi.resetModules();
    const session = await installMocks({
      stack: "dev",
      config: stackFileConfig("dev", { "mlops-platform:cloud": "azure" }),
    });
    await expect(import("../../stacks/index.js")).rejects.toThrow(/mlops-platform:cloud/);
    await settle();
    expect(session.resources).toEqual([]);
  });
});

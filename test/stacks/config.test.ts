import { describe, expect, it } from "vitest";
import { ConfigError, mergeOver, parseStackConfig, type RawStackConfig } from "../../stacks/config";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { parse as parseYaml } from "yaml";
import * as fs from "node:fs";
import * as path from "node:path";

const VPN = [{ name: "vpn", cidr: "203.0.113.0/24" }];
/** Prod refuses to run without an alert receiver; the fixtures carry one. */
const ALERTING = { webhook: { url: "https://alerts.example.com/am" } };
const GCP = { project: "acme-ml", region: "us-central1" };

function raw(values: Record<string, unknown>, over: Partial<RawStackConfig> = {}): RawStackConfig {
  return {
    stack: "dev",
    values: { cloud: "gcp", cluster: { authorizedNetworks: VPN }, alerting: ALERTING, ...values },
    gcp: GCP,
    allowPlaceholders: true,
    ...over,
  };
}

/** Parses and returns the ConfigError; fails the test when parsing succeeds. */
function problemsOf(input: RawStackConfig): ConfigError {
  try {
    parseStackConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}

describe("valid config", () => {
  it.each(["dev", "staging", "prod"] as const)("%s resolves to the environment defaults", (env) => {
    const c = parseStackConfig(raw({}, { stack: env }));
    expect(c.environment).toBe(env);
    expect(c.namePrefix).toBe(`mlops-${env}`);
    expect(c.database).toEqual(ENV_DEFAULTS[env].database);
    expect(c.gpuPools).toEqual(ENV_DEFAULTS[env].gpuPools);
    expect(c.gcp).toEqual(GCP);
    expect(c.labels.environment).toBe(env);
  });

  it("prod defaults are the safe ones", () => {
    const c = parseStackConfig(raw({}, { stack: "prod" }));
    expect(c.protect).toBe(true);
    expect(c.database.highAvailability).toBe(true);
    expect(c.database.deletionProtection).toBe(true);
    expect(c.artifacts.forceDestroy).toBe(false);
    expect(c.gpuPools.every((p) => !p.spot)).toBe(true);
  });

  it("dev defaults are cheap: GPU pools on spot with min 0, forceDestroy", () => {
    const c = parseStackConfig(raw({}));
    expect(c.gpuPools.every((p) => p.spot && p.minNodes === 0)).toBe(true);
    expect(c.artifacts.forceDestroy).toBe(true);
    expect(c.protect).toBe(false);
  });

  it("merges overrides deeply: objects merge, arrays replace", () => {
    const c = parseStackConfig(
      raw({
        database: { size: "xlarge" },
        labels: { team: "vision" },
        gpuPools: [{ name: "t4", gpu: "t4", maxNodes: 3 }],
      }),
    );
    expect(c.database.size).toBe("xlarge");
    expect(c.database.postgresVersion).toBe(ENV_DEFAULTS.dev.database.postgresVersion);
    expect(c.labels).toMatchObject({ team: "vision", platform: "mlops", environment: "dev" });
    expect(c.gpuPools).toEqual([
      {
        name: "t4",
        gpu: "t4",
        gpusPerNode: 1,
        minNodes: 0,
        maxNodes: 3,
        spot: false,
        driverVersion: "DEFAULT",
      },
    ]);
  });

  it("takes the environment from the config key when the stack has another name", () => {
    const c = parseStackConfig(raw({ environment: "staging" }, { stack: "team-a-staging" }));
    expect(c.environment).toBe("staging");
    expect(c.namePrefix).toBe("mlops-staging");
  });

  it("mergeOver leaves the defaults object untouched", () => {
    const before = JSON.stringify(ENV_DEFAULTS.dev);
    mergeOver(ENV_DEFAULTS.dev, { database: { size: "large" } });
    expect(JSON.stringify(ENV_DEFAULTS.dev)).toBe(before);
  });

  it.each(["dev", "staging", "prod"])("the shipped Pulumi.%s.yaml parses", (env) => {
    const doc = parseYaml(
      fs.readFileSync(path.join(__dirname, "..", "..", `Pulumi.${env}.yaml`), "utf8"),
    ) as {
      config: Record<string, unknown>;
    };
    const values: Record<string, unknown> = {};
    const gcp: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config)) {
      const [ns, key] = k.split(":");
      if (ns === "mlops-platform") values[key] = v;
      if (ns === "gcp") gcp[key] = String(v);
    }
    expect(parseStackConfig({ stack: env, values, gcp, allowPlaceholders: true }).environment).toBe(
      env,
    );
    // As a real stack, only its placeholders stand between it and `pulumi up`.
    const err = problemsOf({ stack: env, values, gcp });
    expect(
      err.problems.every((p) => p.reason.includes("replace the placeholder")),
      err.message,
    ).toBe(true);
    expect(err.problems.map((p) => p.key)).toEqual(
      expect.arrayContaining(["gcp:project", "mlops-platform:gitops.repoUrl"]),
    );
  });
});

/** A config on cloud aws (us-east-1) with `values` on top. */
function awsRaw(values: Record<string, unknown>, stack = "dev"): RawStackConfig {
  return {
    stack,
    values: {
      cloud: "aws",
      alerting: ALERTING,
      ...values,
      cluster: { authorizedNetworks: VPN, ...(values.cluster ?? {}) },
    },
    aws: { region: "us-east-1" },
    allowPlaceholders: true,
  };
}

function awsCases(): [string, RawStackConfig, string, RegExp][] {
  return [
    [
      "aws: VPC too large to be a VPC",
      awsRaw({ network: { vpcCidr: "10.0.0.0/8" } }),
      "mlops-platform:network.vpcCidr",
      /must be a \/16 to \/20/,
    ],
    [
      "aws: Service range inside the VPC",
      awsRaw({ network: { serviceCidr: "10.0.16.0/20" } }),
      "mlops-platform:network.serviceCidr",
      /overlaps network.vpcCidr/,
    ],
    [
      "aws: a single NAT gateway in prod",
      awsRaw({ network: { natGateways: "single" }, gitops: { targetRevision: "v1.0.0" } }, "prod"),
      "mlops-platform:network.natGateways",
      /must be perZone in prod/,
    ],
    [
      "aws: unknown NAT mode",
      awsRaw({ network: { natGateways: "two" } }),
      "mlops-platform:network.natGateways",
      /use one of single, perZone/,
    ],
    [
      "aws: Kubernetes version without pinned add-ons",
      awsRaw({ cluster: { kubernetesVersion: "1.29" } }),
      "mlops-platform:cluster.kubernetesVersion",
      /1\.29 is not an EKS version this platform knows: use 1\.34 or 1\.35/,
    ],
    [
      "aws: a version past EKS standard support (judged on MLOPS_TODAY)",
      awsRaw({ cluster: { kubernetesVersion: "1.33" } }),
      "mlops-platform:cluster.kubernetesVersion",
      /1\.33 left EKS standard support on 2026-07-29 .*use 1\.34 or 1\.35/,
    ],
    [
      "aws: malformed add-on version",
      awsRaw({ cluster: { addonVersions: { coredns: "latest" } } }),
      "mlops-platform:cluster.addonVersions.coredns",
      /v1\.20\.1-eksbuild\.3/,
    ],
    [
      "aws: unknown add-on",
      awsRaw({ cluster: { addonVersions: { "kube-dns": "v1.0.0-eksbuild.1" } } }),
      "mlops-platform:cluster.addonVersions.kube-dns",
      /not a known key.*known here: vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver/,
    ],
    [
      "aws: admin principal is not an IAM ARN",
      awsRaw({ cluster: { adminPrincipals: ["platform-admins"] } }),
      "mlops-platform:cluster.adminPrincipals[0]",
      /not an IAM role or user ARN/,
    ],
    [
      "aws: admin principal listed twice",
      awsRaw({
        cluster: {
          adminPrincipals: [
            "arn:aws:iam::123456789012:role/admins",
            "arn:aws:iam::123456789012:role/admins",
          ],
        },
      }),
      "mlops-platform:cluster.adminPrincipals[1]",
      /listed twice/,
    ],
    [
      "aws: a GCE machine type for the system pool",
      awsRaw({ cluster: { systemPool: { machineType: "e2-standard-4" } } }),
      "mlops-platform:cluster.systemPool.machineType",
      /not an EC2 instance type/,
    ],
    [
      "gcp: an EC2 instance type for the system pool",
      raw({ cluster: { authorizedNetworks: VPN, systemPool: { machineType: "m6i.xlarge" } } }),
      "mlops-platform:cluster.systemPool.machineType",
      /EC2 instance type, not a GCE machine type/,
    ],
    [
      "aws: backups beyond RDS's limit",
      awsRaw({ database: { backupRetentionDays: 60 } }),
      "mlops-platform:database.backupRetentionDays",
      /between 7 and 35 on RDS/,
    ],
    [
      "aws: GPU pool zone in another region",
      awsRaw({ gpuPools: [{ name: "l4", gpu: "l4", maxNodes: 2, zones: ["us-west-2a"] }] }),
      "mlops-platform:gpuPools[0].zones",
      /not availability zones of us-east-1/,
    ],
    [
      "aws: GPU kind not on EKS",
      awsRaw({ gpuPools: [{ name: "x", gpu: "a100", gpusPerNode: 2, maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0]",
      /not an EC2 shape for a100: use one of 8/,
    ],
    [
      "aws: an EC2 instance type whose GPU count differs from gpusPerNode",
      awsRaw({
        gpuPools: [
          { name: "a", gpu: "a10g", machineType: "g5.12xlarge", gpusPerNode: 1, maxNodes: 1 },
        ],
      }),
      "mlops-platform:gpuPools[0]",
      /"g5\.12xlarge" has 4 x a10g, but gpusPerNode is 1: set gpusPerNode to 4/,
    ],
    [
      "aws: a neighbour instance type the catalog does not pick, GPU count from the same table",
      awsRaw({
        gpuPools: [
          { name: "a", gpu: "l4", machineType: "g6.24xlarge", gpusPerNode: 8, maxNodes: 1 },
        ],
      }),
      "mlops-platform:gpuPools[0]",
      /"g6\.24xlarge" has 4 x l4, but gpusPerNode is 8: set gpusPerNode to 4/,
    ],
    [
      "aws: GPU pool that can never have a node",
      awsRaw({ gpuPools: [{ name: "l4", gpu: "l4", maxNodes: 0 }] }),
      "mlops-platform:gpuPools[0].maxNodes",
      /at least 1 on EKS/,
    ],
  ];
}

describe("aws config resolves", () => {
  it("pitrRetentionDays is Cloud SQL's setting: RDS ignores it, so its limit does not apply on aws", () => {
    expect(
      parseStackConfig(awsRaw({ database: { pitrRetentionDays: 10 } })).database.pitrRetentionDays,
    ).toBe(10);
  });

  it("each env's defaults are valid on aws, with one NAT per zone only in prod", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const c = parseStackConfig(
        awsRaw(env === "dev" ? {} : { gitops: { targetRevision: "v1.0.0" } }, env),
      );
      expect(c.cloud).toBe("aws");
      expect(c.aws.region).toBe("us-east-1");
      expect(c.network.natGateways).toBe(env === "prod" ? "perZone" : "single");
      expect(c.cluster.adminPrincipals).toEqual([]);
    }
  });
});

describe("bad config: one error naming the key and the fix", () => {
  const cases: [string, RawStackConfig, string, RegExp][] = [
    ["unknown cloud", raw({ cloud: "azure" }), "mlops-platform:cloud", /use one of gcp, aws/],
    [
      "unknown GPU kind",
      raw({ gpuPools: [{ name: "a", gpu: "k80", maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0].gpu",
      /use one of t4, l4/,
    ],
    [
      "min above max",
      raw({ gpuPools: [{ name: "a", gpu: "l4", minNodes: 3, maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0].minNodes",
      /raise maxNodes or lower minNodes/,
    ],
    [
      "max over the cap",
      raw({ gpuPools: [{ name: "a", gpu: "l4", maxNodes: 500 }] }),
      "mlops-platform:gpuPools[0].maxNodes",
      /above 64: lower it/,
    ],
    [
      "missing gcp:project",
      raw({}, { gcp: { region: "us-central1" } }),
      "gcp:project",
      /pulumi config set gcp:project/,
    ],
    [
      "missing gcp:region",
      raw({}, { gcp: { project: "p" } }),
      "gcp:region",
      /pulumi config set gcp:region/,
    ],
    [
      "missing aws:region",
      raw({ cloud: "aws", gpuPools: [{ name: "a", gpu: "a10g", maxNodes: 1 }] }, { gcp: {} }),
      "aws:region",
      /pulumi config set aws:region/,
    ],
    ...awsCases(),
    [
      "malformed CIDR",
      raw({ network: { nodeCidr: "10.0.0/8" } }),
      "mlops-platform:network.nodeCidr",
      /not a CIDR/,
    ],
    [
      "world-open API",
      raw({ cluster: { authorizedNetworks: [{ name: "all", cidr: "0.0.0.0/0" }] } }),
      "mlops-platform:cluster.authorizedNetworks[0].cidr",
      /whole internet/,
    ],
    [
      "no authorized networks",
      raw({ cluster: { authorizedNetworks: [] } }),
      "mlops-platform:cluster.authorizedNetworks",
      /add the CIDR/,
    ],
    [
      "unknown top-level key",
      raw({ gpupools: [] }),
      "mlops-platform:gpupools",
      /not a known key.*gpuPools/,
    ],
    [
      "unknown nested key",
      raw({ database: { sise: "small" } }),
      "mlops-platform:database.sise",
      /known here: size/,
    ],
    [
      "wrong type: a word for a number",
      raw({ gpuPools: [{ name: "a", gpu: "l4", maxNodes: "four" }] }),
      "mlops-platform:gpuPools[0].maxNodes",
      /^is a string \("four"\), expected a number: write a number without quotes\.$/,
    ],
    [
      "wrong type: an unquoted version (the README's own example value)",
      raw({ cluster: { authorizedNetworks: VPN, kubernetesVersion: 1.33 } }),
      "mlops-platform:cluster.kubernetesVersion",
      /^is a number \(1\.33\), expected a string: quote it \("1\.33"\)/,
    ],
    [
      "wrong type: a number with a unit",
      raw({ database: { diskSizeGb: "50GB" } }),
      "mlops-platform:database.diskSizeGb",
      /^is a string \("50GB"\), expected a number: write the number alone, without quotes or units \(50\)\.$/,
    ],
    [
      "wrong type: yes for true",
      raw({ cluster: { authorizedNetworks: VPN, privateEndpoint: "yes" } }),
      "mlops-platform:cluster.privateEndpoint",
      /^is a string \("yes"\), expected true or false: write true or false, without quotes\.$/,
    ],
    [
      "wrong type: a map where a list goes",
      raw({ cluster: { authorizedNetworks: { office: "198.51.100.0/24" } } }),
      "mlops-platform:cluster.authorizedNetworks",
      /^is a map .*expected a list: write a list, one item per line starting with "- "\.$/,
    ],
    [
      "Postgres too old",
      raw({ database: { postgresVersion: 13 } }),
      "mlops-platform:database.postgresVersion",
      /use 15, 16 or 17/,
    ],
    [
      "bad pool name",
      raw({ gpuPools: [{ name: "GPU_Pool", gpu: "l4", maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0].name",
      /lowercase/,
    ],
    [
      "duplicate pool names",
      raw({
        gpuPools: [
          { name: "a", gpu: "l4", maxNodes: 1 },
          { name: "a", gpu: "t4", maxNodes: 1 },
        ],
      }),
      "mlops-platform:gpuPools[1].name",
      /its own name/,
    ],
    [
      "GPU count GKE has no shape for",
      raw({ gpuPools: [{ name: "a", gpu: "l4", gpusPerNode: 3, maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0]",
      /use one of 1, 2, 4, 8/,
    ],
    [
      "GPU kind GKE lacks",
      raw({ gpuPools: [{ name: "a", gpu: "a10g", maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0]",
      /not offered on GKE/,
    ],
    [
      "machine type that can't carry the GPU",
      raw({ gpuPools: [{ name: "a", gpu: "l4", machineType: "n1-standard-8", maxNodes: 1 }] }),
      "mlops-platform:gpuPools[0]",
      /g2-\* machine type/,
    ],
    [
      "region without known GPU zones",
      raw({}, { gcp: { project: "p", region: "southamerica-east1" } }),
      "mlops-platform:gpuPools[0]",
      /set zones explicitly/,
    ],
    [
      "zones outside the region",
      raw({ gpuPools: [{ name: "a", gpu: "l4", maxNodes: 1, zones: ["europe-west4-a"] }] }),
      "mlops-platform:gpuPools[0]",
      /not in region/,
    ],
    [
      "overlapping CIDRs",
      raw({ network: { podCidr: "10.10.0.0/16" } }),
      "mlops-platform:network.podCidr",
      /overlaps nodeCidr \(10.10.0.0\/20\)/,
    ],
    [
      "control plane not a /28",
      raw({ network: { controlPlaneCidr: "172.16.0.0/24" } }),
      "mlops-platform:network.controlPlaneCidr",
      /must be a \/28/,
    ],
    [
      "forceDestroy outside dev",
      raw({ artifacts: { forceDestroy: true } }, { stack: "staging" }),
      "mlops-platform:artifacts.forceDestroy",
      /only in dev/,
    ],
    [
      "prod without deletion protection",
      raw({ database: { deletionProtection: false } }, { stack: "prod" }),
      "mlops-platform:database.deletionProtection",
      /cannot be false in prod/,
    ],
    [
      "unknown environment",
      raw({}, { stack: "feature-x" }),
      "mlops-platform:environment",
      /dev, staging or prod/,
    ],
    [
      "bad environment value",
      raw({ environment: "qa" }),
      "mlops-platform:environment",
      /use one of dev, staging, prod/,
    ],
    [
      "PITR beyond Cloud SQL's limit (a GcpTrackingStore rule)",
      raw({ database: { pitrRetentionDays: 10 } }),
      "mlops-platform:database.pitrRetentionDays",
      /\(10\) must be between 1 and 7 days \(Cloud SQL's limit/,
    ],
    [
      "PITR not below the retained backups (Cloud SQL refuses it)",
      raw({ database: { backupRetentionDays: 5, pitrRetentionDays: 5 } }),
      "mlops-platform:database.pitrRetentionDays",
      /\(5\) must be below backupRetentionDays \(5\) on Cloud SQL/,
    ],
    [
      "a GKE machine type whose GPU count differs from gpusPerNode",
      raw({
        gpuPools: [
          { name: "a", gpu: "l4", machineType: "g2-standard-24", gpusPerNode: 1, maxNodes: 1 },
        ],
      }),
      "mlops-platform:gpuPools[0]",
      /"g2-standard-24" comes with 2 x l4, but gpusPerNode is 1: set gpusPerNode to 2/,
    ],
    [
      "a GKE node pool name over 40 characters once Pulumi adds its suffix",
      raw(
        { gpuPools: [{ name: "a100-training", gpu: "l4", gpusPerNode: 1, maxNodes: 1 }] },
        { stack: "staging" },
      ),
      "mlops-platform:gpuPools[0].name",
      /"a100-training" makes the node pool's name "mlops-staging-cluster-gpu-a100-training-xxxxxxx" 47 characters, over GKE's 40: shorten the pool name \(or namePrefix\) by 7\./,
    ],
    [
      "keepVersions zero",
      raw({ artifacts: { keepVersions: 0 } }),
      "mlops-platform:artifacts.keepVersions",
      /at least 1/,
    ],
    ["bad label key", raw({ labels: { Team: "x" } }), "mlops-platform:labels.Team", /lowercase/],
    [
      "system pool min above max",
      raw({ cluster: { authorizedNetworks: VPN, systemPool: { minNodes: 5, maxNodes: 2 } } }),
      "mlops-platform:cluster.systemPool.minNodes",
      /raise maxNodes/,
    ],
    [
      "floating targetRevision in staging",
      raw({ gitops: { targetRevision: "main" } }, { stack: "staging" }),
      "mlops-platform:gitops.targetRevision",
      /pin a release tag/,
    ],
    [
      "HEAD in prod",
      raw({ gitops: { targetRevision: "HEAD" } }, { stack: "prod" }),
      "mlops-platform:gitops.targetRevision",
      /pin a release tag/,
    ],
    [
      "unpinned MLflow image",
      raw({ mlflow: { image: "burakince/mlflow:latest" } }),
      "mlops-platform:mlflow.image",
      /pinned/,
    ],
    [
      "SSO without a client secret",
      raw({ gitops: { sso: { enabled: true, issuer: "https://idp", clientId: "c" } } }),
      "mlops-platform:argocdOidcClientSecret",
      /pulumi config set --secret/,
    ],
    [
      "prod MLflow with one replica",
      raw({ mlflow: { replicas: 1 } }, { stack: "prod" }),
      "mlops-platform:mlflow.replicas",
      /at least 2 in prod/,
    ],
    [
      "bad memory quantity",
      raw({ mlflow: { limits: { cpu: "1", memory: "2GB" } } }),
      "mlops-platform:mlflow.limits.memory",
      /memory quantity/,
    ],
  ];

  it("dev may follow a branch; staging and prod accept a tag or a full SHA", () => {
    expect(
      parseStackConfig(raw({ gitops: { targetRevision: "main" } })).gitops.targetRevision,
    ).toBe("main");
    expect(
      parseStackConfig(raw({ gitops: { targetRevision: "v2.3.1" } }, { stack: "prod" })).gitops
        .targetRevision,
    ).toBe("v2.3.1");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(
      parseStackConfig(raw({ gitops: { targetRevision: sha } }, { stack: "staging" })).gitops
        .targetRevision,
    ).toBe(sha);
  });

  it.each(cases)("%s", (_title, input, key, fix) => {
    const err = problemsOf(input);
    const problem = err.problems.find((p) => p.key === key);
    expect(problem, `no problem for ${key} in:\n${err.message}`).toBeDefined();
    expect(problem!.reason).toMatch(fix);
    expect(err.message).toContain(key);
  });

  it("reports every problem at once, not the first one only", () => {
    const err = problemsOf(
      raw({
        cloud: "azure",
        network: { nodeCidr: "nope" },
        gpuPools: [{ name: "a", gpu: "k80", maxNodes: 1 }],
        bogus: true,
      }),
    );
    const keys = err.problems.map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "mlops-platform:cloud",
        "mlops-platform:network.nodeCidr",
        "mlops-platform:gpuPools[0].gpu",
        "mlops-platform:bogus",
      ]),
    );
    expect(err.message).toMatch(/has 4 config problems/);
  });

  it("a refused cloud does not drag in the default cloud's rules", () => {
    const err = problemsOf(raw({ cloud: "azure" }, { gcp: {} }));
    expect(err.problems.map((p) => p.key)).toEqual(["mlops-platform:cloud"]);
  });

  it("a schema error and a cross-field error are reported in the same pass", () => {
    const err = problemsOf(
      raw(
        {
          database: { diskSizeGb: "50GB" },
          artifacts: { forceDestroy: true },
          gitops: { targetRevision: "main" },
        },
        { stack: "staging" },
      ),
    );
    expect(err.problems.map((p) => p.key).sort()).toEqual([
      "mlops-platform:artifacts.forceDestroy",
      "mlops-platform:database.diskSizeGb",
      "mlops-platform:gitops.targetRevision",
    ]);
  });

  describe("placeholders from the shipped examples are refused for real stacks", () => {
    const real = (values: Record<string, unknown>, over: Partial<RawStackConfig> = {}) =>
      raw(values, { allowPlaceholders: false, ...over });
    it.each([
      [
        "gcp:project",
        real({}, { gcp: { project: "my-gcp-project-dev", region: "us-central1" } }),
        /"my-gcp-project-dev" is an example placeholder: replace the placeholder with your GCP project id/,
      ],
      [
        "mlops-platform:cluster.authorizedNetworks[0].cidr",
        real({}),
        /203\.0\.113\.0\/24 \(a documentation-only range\) is an example placeholder: replace the placeholder/,
      ],
      [
        "mlops-platform:gitops.repoUrl",
        real({ cluster: { authorizedNetworks: [{ name: "vpn", cidr: "35.190.0.0/24" }] } }),
        /your-org.*replace the placeholder with your GitOps repository's URL/,
      ],
      [
        "mlops-platform:alerting.webhook.url",
        real({}),
        /alerts\.example\.com.*replace the placeholder with your own endpoint/,
      ],
    ])("%s", (key, input, fix) => {
      const err = problemsOf(input);
      const p = err.problems.find((x) => x.key === key);
      expect(p, err.message).toBeDefined();
      expect(p!.reason).toMatch(fix);
    });

    it("a config with real values passes", () => {
      const c = parseStackConfig(
        real({
          cluster: { authorizedNetworks: [{ name: "vpn", cidr: "35.190.0.0/24" }] },
          gitops: { repoUrl: "https://github.com/acme/ml-deployments.git" },
          alerting: {},
        }),
      );
      expect(c.gitops.repoUrl).toBe("https://github.com/acme/ml-deployments.git");
    });
  });

  it("the error is a RunError so the CLI prints it without a stack trace", async () => {
    const pulumi = await import("@pulumi/pulumi");
    expect(pulumi.RunError.isInstance(problemsOf(raw({ cloud: "x" })))).toBe(true);
  });
});

/**
 * Every decision has one home:
 * - environment knobs are config keys with defaults in stacks/defaults.ts, and a
 *   stack that overrides one gets what it asked for on both clouds;
 * - the offline config check reports a component's own rule (same words), once,
 *   under the config key the user edits; every arg a cloud layer passes a
 *   component from config maps to a config key.
 */
import { describe, expect, it } from "vitest";
import { AWS_CONFIG_KEYS } from "../../components/aws/configChecks";
import { awsLayerSettings } from "../../components/aws/cloudLayer";
import { eksClusterProblems } from "../../components/aws/eks/cluster";
import { GCP_CONFIG_KEYS } from "../../components/gcp/configChecks";
import { gcpLayerSettings } from "../../components/gcp/cloudLayer";
import { gkeClusterProblems } from "../../components/gcp/gkeCluster";
import { ConfigError, parseStackConfig, type RawStackConfig } from "../../stacks/config";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { stackConfigSchema } from "../../stacks/schema";
import { runStack } from "../helpers/stack";

const VPN = [{ name: "vpn", cidr: "198.51.100.0/24" }];
const raw = (
  cloud: "gcp" | "aws",
  values: Record<string, unknown>,
  stack = "dev",
): RawStackConfig => ({
  stack,
  values: {
    cloud,
    alerting: { webhook: { url: "https://alerts.example.com/am" } },
    ...values,
    cluster: { authorizedNetworks: VPN, ...((values.cluster as object) ?? {}) },
  },
  gcp: { project: "acme-ml", region: "us-central1" },
  aws: { region: "us-east-1" },
  allowPlaceholders: true,
});
const pinned = { gitops: { targetRevision: "v1.0.0" } };

function problems(input: RawStackConfig) {
  try {
    parseStackConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("environment knobs are config keys", () => {
  it.each([
    ["dev", { del: false, flow: false, logs: 90, snap: false }],
    ["staging", { del: true, flow: false, logs: 90, snap: true }],
    ["prod", { del: true, flow: true, logs: 365, snap: true }],
  ] as const)(
    "%s defaults: deletion protection, flow logs, log retention, final snapshot",
    (env, want) => {
      const d = ENV_DEFAULTS[env];
      expect(d.cluster.deletionProtection).toBe(want.del);
      expect(d.network.flowLogs).toBe(want.flow);
      expect(d.cluster.logRetentionDays).toBe(want.logs);
      expect(d.database.finalSnapshot).toBe(want.snap);
    },
  );

  it.each(["gcp", "aws"] as const)(
    "%s: the cloud layer passes what the config says, not what the environment implies",
    (cloud) => {
      const c = parseStackConfig(
        raw(
          cloud,
          {
            ...pinned,
            cluster: { deletionProtection: false, logRetentionDays: 30 },
            network: { flowLogs: true },
            database: { finalSnapshot: false },
          },
          "staging",
        ),
      );
      const s = cloud === "gcp" ? gcpLayerSettings(c) : awsLayerSettings(c);
      expect(s.cluster.deletionProtection).toBe(false);
      expect(s.network.flowLogs).toBe(true);
      expect(s.tracking.database.finalSnapshot).toBe(false);
      if (cloud === "aws") expect(awsLayerSettings(c).cluster.logRetentionDays).toBe(30);
    },
  );

  it("a retention CloudWatch does not accept is refused, naming the key and the legal values", () => {
    const p = problems(raw("aws", { cluster: { logRetentionDays: 100 } }));
    expect(p).toContainEqual({
      key: "mlops-platform:cluster.logRetentionDays",
      reason: expect.stringMatching(
        /100 is not a CloudWatch Logs retention: use one of 1, 3, .*, 90, 120/,
      ),
    });
  });
});

describe("the config check runs the components' own rules", () => {
  it("GKE: the config check's reason is the component's reason, under the config key", () => {
    const pool = { name: "a", gpu: "l4", minNodes: 3, maxNodes: 1 } as const;
    const reported = problems(raw("gcp", { gpuPools: [pool] })).filter((p) =>
      p.key.startsWith("mlops-platform:gpuPools[0]"),
    );
    const valid = parseStackConfig(raw("gcp", {}));
    const own = gkeClusterProblems({
      ...gcpLayerSettings(valid).cluster,
      gpuPools: [{ ...valid.gpuPools[0], ...pool }],
    });
    expect(reported).toEqual(
      own.map((p) => ({ key: `mlops-platform:${p.propertyPath}`, reason: p.reason })),
    );
    expect(reported).toHaveLength(1);
  });

  it("EKS: the same, for a world-open API range", () => {
    const input = raw("aws", {
      cluster: { authorizedNetworks: [{ name: "all", cidr: "0.0.0.0/0" }] },
    });
    const reported = problems(input).filter((p) =>
      p.key.startsWith("mlops-platform:cluster.authorizedNetworks"),
    );
    const c = parseStackConfig(raw("aws", {}));
    const own = eksClusterProblems({
      ...awsLayerSettings(c).cluster,
      authorizedNetworks: [{ name: "all", cidr: "0.0.0.0/0" }],
    });
    expect(reported).toEqual(
      own.map((p) => ({ key: `mlops-platform:cluster.${p.propertyPath}`, reason: p.reason })),
    );
    expect(reported).toHaveLength(1);
  });

  it.each(["gcp", "aws"] as const)(
    "%s: a rule several components share (region) is reported once",
    (cloud) => {
      const input = raw(cloud, {});
      if (cloud === "gcp") input.gcp = { project: "p" };
      else input.aws = {};
      const p = problems(input).filter((x) => x.key === `${cloud}:region`);
      expect(p).toHaveLength(1);
      expect(p[0].reason).toMatch(new RegExp(`pulumi config set ${cloud}:region`));
    },
  );

  it.each(["gcp", "aws"] as const)(
    "%s: every setting a component gets from config maps to a config key",
    (cloud) => {
      const c = parseStackConfig(raw(cloud, pinned, "prod"));
      const settings = cloud === "gcp" ? gcpLayerSettings(c) : awsLayerSettings(c);
      const keys: Record<string, Record<string, string>> = cloud === "gcp"
        ? GCP_CONFIG_KEYS
        : AWS_CONFIG_KEYS;
      for (const [component, args] of Object.entries(settings)) {
        const unmapped = Object.keys(args).filter(
          (a) => a !== "protect" && !(a in keys[component]),
        );
        expect(unmapped, `${cloud} ${component}`).toEqual([]);
      }
    },
  );
});

describe("the knobs reach the resources (real stack under mocks)", () => {
  it("staging with cluster.deletionProtection false and flow logs on: GKE and EKS clusters follow the config", async () => {
    const over = {
      "mlops-platform:cluster": JSON.stringify({
        authorizedNetworks: VPN,
        deletionProtection: false,
        logRetentionDays: 30,
      }),
      "mlops-platform:network": JSON.stringify({ flowLogs: true }),
      "mlops-platform:database": JSON.stringify({ finalSnapshot: false }),
    };
    const gcp = await runStack("staging", over);
    expect(gcp.one("gcp:container/cluster:Cluster").inputs.deletionProtection).toBe(false);
    expect(gcp.one("gcp:compute/subnetwork:Subnetwork").inputs.logConfig).toBeDefined();

    const aws = await runStack("staging", {
      ...over,
      "mlops-platform:cloud": "aws",
      "aws:region": "us-east-1",
    });
    expect(aws.one("aws:eks/cluster:Cluster").inputs.deletionProtection).toBe(false);
    expect(aws.ofType("aws:ec2/flowLog:FlowLog")).toHaveLength(1);
    expect(
      aws
        .ofType("aws:cloudwatch/logGroup:LogGroup")
        .find((g) => g.inputs.name === "/aws/eks/mlops-staging/cluster")?.inputs.retentionInDays,
    ).toBe(30);
    expect(aws.one("aws:rds/instance:Instance").inputs.skipFinalSnapshot).toBe(true);
  });
});

describe("every config key is declared once for users", () => {
  it("Pulumi.yaml declares exactly the keys the schema accepts, secrets marked secret", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { parse } = await import("yaml");
    const project = parse(
      fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"),
    ) as {
      config: Record<string, { secret?: boolean }>;
    };
    const declared = Object.keys(project.config)
      .filter((k) => k.startsWith("mlops-platform:"))
      .map((k) => k.slice("mlops-platform:".length))
      .sort();
    expect(declared).toEqual(Object.keys(stackConfigSchema.shape).sort());
    const secrets = declared.filter((k) => project.config[`mlops-platform:${k}`].secret);
    expect(secrets.sort()).toEqual(
      [
        "alertingEmailPassword",
        "alertingPagerdutyRoutingKey",
        "alertingSlackWebhookUrl",
        "alertingWebhookToken",
        "argocdOidcClientSecret",
        "gitopsRepoSecret",
        "gitopsNotificationsPrivateKey",
      ].sort(),
    );
  });
});

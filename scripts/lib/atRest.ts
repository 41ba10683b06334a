/**
 * What a stack keeps running when nothing is being trained or served, read from the resources
 * the program registers (a mock run): the things that bill by the hour at rest. The README's
 * "At rest" table is this, one row per stack; test/urns.test.ts keeps it in sync.
 */
import type { RecordedResource } from "./mocks";

const count = (n: number, what: string) => (n === 0 ? "" : `${n} × ${what}`);

/** One README table cell per column: cluster, nodes at rest, database, NAT. */
export function atRestRow(resources: RecordedResource[]): {
  cluster: string;
  nodes: string;
  database: string;
  nat: string;
} {
  const of = (t: string) => resources.filter((r) => r.custom && r.type === t);
  const gke = of("gcp:container/cluster:Cluster");
  if (gke.length) {
    const nodes = of("gcp:container/nodePool:NodePool").map((p) => {
      const a = p.inputs.autoscaling ?? {};
      const min =
        a.totalMinNodeCount ?? (a.minNodeCount ?? 0) * (p.inputs.nodeLocations?.length ?? 3);
      return count(min, p.inputs.nodeConfig.machineType);
    });
    const sql = of("gcp:sql/databaseInstance:DatabaseInstance")[0].inputs.settings;
    return {
      cluster: "GKE regional (cluster fee)",
      nodes: nodes.filter(Boolean).join(" + "),
      database: `Cloud SQL ${sql.tier}${sql.availabilityType === "REGIONAL" ? " HA (×2)" : ""}`,
      nat: `Cloud NAT (${of("gcp:compute/routerNat:RouterNat").length} gateway)`,
    };
  }
  const nodes = of("aws:eks/nodeGroup:NodeGroup").map((g) => {
    const lt = of("aws:ec2/launchTemplate:LaunchTemplate").find((t) => g.name === t.name);
    const type = g.inputs.instanceTypes?.[0] ?? lt?.inputs.instanceType;
    return count(g.inputs.scalingConfig.minSize, type);
  });
  const rds = of("aws:rds/instance:Instance")[0].inputs;
  return {
    cluster: "EKS (cluster fee)",
    nodes: nodes.filter(Boolean).join(" + "),
    database: `RDS ${rds.instanceClass}${rds.multiAz ? " Multi-AZ (×2)" : ""}`,
    nat: `${of("aws:ec2/natGateway:NatGateway").length} NAT gateway(s)`,
  };
}

export const AT_REST_BEGIN =
  "<!-- at-rest:begin (test/urns.test.ts; UPDATE_DOCS=1 rewrites it) -->";
export const AT_REST_END = "<!-- at-rest:end -->";

export function atRestTable(rows: Record<string, ReturnType<typeof atRestRow>>): string {
  const lines = [
    "| stack | cluster | nodes at rest (minimum) | database | NAT |",
    "| --- | --- | --- | --- | --- |",
    ...Object.entries(rows).map(
      ([stack, r]) => `| ${stack} | ${r.cluster} | ${r.nodes} | ${r.database} | ${r.nat} |`,
    ),
  ];
  return `${AT_REST_BEGIN}\n${lines.join("\n")}\n${AT_REST_END}`;
}

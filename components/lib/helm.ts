/** The one way the platform installs a pinned chart (see ./charts.ts for the pins). */
import * as k8s from "./k8s";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartRef } from "./charts";

export { CHARTS, type ChartRef } from "./charts";

/**
 * A `helm.v3.Release` of a pinned chart into a namespace we created. `atomic`
 * rolls back a failed upgrade; the release name is fixed so in-cluster DNS
 * names (e.g. the Prometheus service) are stable.
 */
export function pinnedRelease(
  name: string,
  ref: ChartRef,
  args: {
    releaseName: string;
    namespace: pulumi.Input<string>;
    values: pulumi.Input<Record<string, unknown>>;
  },
  opts: pulumi.CustomResourceOptions,
): k8s.Release {
  return new k8s.Release(
    name,
    {
      name: args.releaseName,
      chart: ref.chart,
      version: ref.version,
      repositoryOpts: { repo: ref.repo },
      namespace: args.namespace,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      timeout: 900,
      values: args.values,
    },
    opts,
  );
}

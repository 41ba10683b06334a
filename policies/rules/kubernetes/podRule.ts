/** How workload rules reach the pod spec of every workload kind. */
import { asArray, get, resourceRule, type Rule } from "../../lib/rule";
import { WORKLOAD_TYPES } from "../types";

/** The pod template (metadata and spec) of any workload kind; a bare Pod is its own. */
function podTemplateOf(type: string, p: Record<string, any>): Record<string, any> | undefined {
  if (type === "kubernetes:core/v1:Pod") return p;
  // CronJob nests two templates.
  if (type === "kubernetes:batch/v1:CronJob") return get(p, "spec.jobTemplate.spec.template");
  return get(p, "spec.template");
}

/** The pod spec inside any workload kind. */
export const podSpecOf = (type: string, p: Record<string, any>): Record<string, any> | undefined =>
  podTemplateOf(type, p)?.spec;

/** The labels the pods of any workload kind carry (what selectors match). */
export const podLabelsOf = (type: string, p: Record<string, any>): Record<string, string> =>
  get(podTemplateOf(type, p) ?? {}, "metadata.labels") ?? {};

export const containersOf = (spec: Record<string, any>) => [
  ...asArray<any>(spec.initContainers),
  ...asArray<any>(spec.containers),
];

/** Wraps a pod-spec check so it runs for every workload type. */
export function podRule<C = Record<string, never>>(
  meta: Omit<Parameters<typeof resourceRule<C>>[0], "check" | "types"> & {
    types?: string[];
    checkPod: (
      spec: Record<string, any>,
      config: C,
      type: string,
      props: Record<string, any>,
    ) => string[];
  },
): Rule {
  const { checkPod, ...rest } = meta;
  return resourceRule<C>({
    types: WORKLOAD_TYPES,
    ...rest,
    check: (p, ctx) => {
      const spec = podSpecOf(ctx.type, p);
      // A Rollout may reference a Deployment's template (workloadRef) instead of carrying one.
      return spec ? checkPod(spec, ctx.config, ctx.type, p) : [];
    },
  });
}

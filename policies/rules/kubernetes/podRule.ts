/** How workload rules reach the pod spec of every workload kind. */
import { asArray, get, resourceRule, type Rule } from "../../lib/rule";
import { WORKLOAD_TYPES } from "../types";

/** The pod template (metadata and spec) of any workload kind; a bare Pod is its own. */
function podTemplateOf(type: string, p: Record<string, any>): Record<string, any> | undefined {
  if (type === "kubernetes:core/v1:Pod") return p;
  // CronJob (batch/v1 and the removed batch/v1beta1) nests two templates.
  if (type.endsWith(":CronJob")) return get(p, "spec.jobTemplate.spec.template");
  return get(p, "spec.template");
}

/** The pod spec inside any workload kind. */
export const podSpecOf = (type: string, p: Record<string, any>): Record<string, any> | undefined =>
  podTemplateOf(type, p)?.spec;

/** The labels the pods of any workload kind carry (what selectors match). */
export const podLabelsOf = (type: string, p: Record<string, any>): Record<string, string> =>
  get(podTemplateOf(type, p) ?? {}, "metadata.labels") ?? {};

/**
 * Every container of a pod spec: init, regular and ephemeral (debug containers added with
 * `kubectl debug`; Pod Security Standards judge their fields too).
 */
export const containersOf = (spec: Record<string, any>) => [
  ...asArray<any>(spec.initContainers),
  ...asArray<any>(spec.containers),
  ...asArray<any>(spec.ephemeralContainers),
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

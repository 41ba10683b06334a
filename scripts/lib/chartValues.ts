/**
 * Checks Helm values we set against a chart's own values.yaml: a key the chart
 * does not document is, almost always, a key the chart does not read (a typo,
 * or a key from another chart version), and Helm ignores it silently.
 *
 * The walk descends while both sides are maps; it stops (and accepts) where the
 * chart's default is an empty map or a list, where our value is a leaf, and
 * under the chart's pass-through maps (FREE_FORM), whose keys go verbatim into a
 * ConfigMap or a custom resource.
 */

export type Values = Record<string, unknown>;

/** Per chart: maps whose keys the chart passes through verbatim (cite the template that does it). */
export const FREE_FORM: Record<string, string[]> = {
  // argo-cd templates/argocd-configs/argocd-cm.yaml, argocd-cmd-params-cm.yaml, argocd-rbac-cm.yaml: every key goes into the ConfigMap.
  "argo-cd": ["configs.cm", "configs.params", "configs.rbac"],
  // kube-prometheus-stack templates/alertmanager/secret.yaml renders alertmanager.config as alertmanager.yaml.
  "kube-prometheus-stack": ["alertmanager.config"],
  // dcgm-exporter 4.8.2 templates/daemonset.yaml: `securityContext: {{ toYaml .Values.securityContext }}`.
  "dcgm-exporter": ["securityContext"],
  // metrics-server 3.13.1 templates/deployment.yaml: `resources: {{ toYaml . }}` (a ResourceRequirements).
  "metrics-server": ["resources"],
  // cluster-autoscaler 9.50.1 templates/deployment.yaml: `range $key, $value := .Values.extraArgs` -> --key=value.
  "cluster-autoscaler": ["extraArgs"],
};

/** A subchart's defaults under its key, with the parent's overrides on top (as Helm merges them). Pure. */
export function withSubchart(parent: Values, key: string, sub: Values): Values {
  const merge = (a: Values, b: Values): Values => {
    const out: Values = { ...a };
    for (const [k, v] of Object.entries(b))
      out[k] = isMap(v) && isMap(out[k]) ? merge(out[k] as Values, v) : v;
    return out;
  };
  return { ...parent, [key]: merge(sub, isMap(parent[key]) ? (parent[key] as Values) : {}) };
}

const isMap = (v: unknown): v is Values => typeof v === "object" && v !== null && !Array.isArray(v);

export interface KeyCheck {
  /** Where the walk stopped on a key the chart documents (or passes through). */
  verified: string[];
  /** Keys the chart's values.yaml does not have. */
  unknown: string[];
}

/** Compares `ours` with the chart's default values. Pure. */
export function checkValueKeys(chart: string, ours: Values, defaults: Values): KeyCheck {
  const free = FREE_FORM[chart] ?? [];
  const out: KeyCheck = { verified: [], unknown: [] };
  const walk = (mine: Values, theirs: Values, at: string) => {
    for (const [key, value] of Object.entries(mine)) {
      const path = at ? `${at}.${key}` : key;
      if (!(key in theirs)) {
        out.unknown.push(path);
        continue;
      }
      const def = theirs[key];
      const descend =
        isMap(value) && isMap(def) && Object.keys(def).length > 0 && !free.includes(path);
      if (descend) walk(value, def, path);
      else out.verified.push(path);
    }
  };
  walk(ours, defaults, "");
  return out;
}

/** Every leaf path of our values (arrays and empty maps are leaves). Pure. */
export function leafPaths(values: Values, at = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    return isMap(value) && Object.keys(value).length > 0 ? leafPaths(value, path) : [path];
  });
}

/** Leaf paths not covered by a verified stop point (equal, or a prefix at a dot). */
export function unverified(leaves: string[], verified: string[]): string[] {
  return leaves.filter((l) => !verified.some((v) => l === v || l.startsWith(`${v}.`)));
}

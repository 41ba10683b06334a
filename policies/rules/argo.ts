/** Argo CD, Argo Rollouts and Helm rules. Helm Release *inputs* are what CrossGuard can see. */
import { ALLOWED_CHART_REPOS } from "../../components/lib/charts";
import { PINNED_REVISION_RE } from "../../components/model";
import { asArray, get, resourceRule, type Rule } from "../lib/rule";
import {
  ARGO_APPLICATION as APP,
  ARGO_APPLICATIONSET as APPSET,
  ARGO_ROLLOUT as ROLLOUT,
  HELM_CHART as CHART,
  HELM_RELEASE as RELEASE,
} from "./types";

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Application specs in an Application or an ApplicationSet's template. */
function appSpecs(type: string, p: Record<string, any>): Record<string, any>[] {
  if (type === APP) return [p.spec ?? {}];
  return [get(p, "spec.template.spec") ?? {}];
}

export const argoRules: Rule[] = [
  resourceRule({
    name: "helm-release-pinned-version",
    description:
      "Helm releases must pin an exact chart version, so an upstream release never changes a stack silently.",
    severity: "high",
    types: [RELEASE, CHART],
    tags: ["helm", "supply-chain"],
    remediationSteps: "Set version to an exact semver such as 9.1.0 (no ranges, no empty version).",
    check: (p) =>
      EXACT_SEMVER.test(String(p.version ?? ""))
        ? []
        : [`chart ${p.chart} version "${p.version ?? ""}" is not an exact version.`],
  }),
  resourceRule<{ allowedRepos: string[] }>({
    name: "helm-release-allowed-repo",
    description: "Helm charts must come from an allowed repository.",
    severity: "high",
    types: [RELEASE, CHART],
    tags: ["helm", "supply-chain"],
    remediationSteps:
      "Use a chart from an allowed repository, or add its repository to allowedRepos after review.",
    config: {
      allowedRepos: {
        type: "array",
        items: { type: "string" },
        default: ALLOWED_CHART_REPOS,
        description: "Chart repositories that may be used.",
      },
    },
    check: (p, { config }) => {
      const repo =
        get(p, "repositoryOpts.repo") ??
        (String(p.chart ?? "").startsWith("oci://") ? p.chart : undefined);
      if (!repo) return [`chart ${p.chart} has no repository (local charts are not reviewed).`];
      return config.allowedRepos.includes(String(repo).replace(/\/$/, ""))
        ? []
        : [`repository ${repo} is not allowed.`];
    },
  }),
  resourceRule({
    name: "argo-application-project-not-default",
    description:
      "Argo CD Applications must belong to a restricted AppProject, never `default` (which allows any repo and destination).",
    severity: "high",
    types: [APP, APPSET],
    tags: ["argo", "gitops", "security"],
    remediationSteps:
      "Create an AppProject limiting sourceRepos and destinations and set spec.project to it.",
    check: (p, ctx) =>
      appSpecs(ctx.type, p)
        .filter((s) => !s.project || s.project === "default")
        .map(() => "spec.project is default."),
  }),
  resourceRule<{ requirePinnedRevision: boolean; releasePinnedApplicationSets: string[] }>({
    name: "argo-application-pinned-revision",
    description:
      "Where required (staging, prod), Applications must track a tag or commit, never a branch or HEAD.",
    severity: "high",
    types: [APP, APPSET],
    tags: ["argo", "gitops", "change-control"],
    remediationSteps:
      "Set targetRevision (and ApplicationSet generator revisions) to a release tag or full commit SHA.",
    config: {
      requirePinnedRevision: {
        type: "boolean",
        default: false,
        description: "Refuse floating revisions.",
      },
      releasePinnedApplicationSets: {
        type: "array",
        items: { type: "string" },
        default: ["ml-models"],
        description:
          "ApplicationSets that may follow a branch because what they deploy is pinned inside the repo: ml-models reads release-<env>.yaml files (image digests, model versions) that change only through reviewed pull requests (CODEOWNERS).",
      },
    },
    check: (p, ctx) => {
      if (!ctx.config.requirePinnedRevision) return [];
      const releasePinned = ctx.config.releasePinnedApplicationSets ?? [];
      if (ctx.type === APPSET && releasePinned.includes(String(get(p, "metadata.name")))) return [];
      const revs = appSpecs(ctx.type, p).flatMap((s) => [
        get(s, "source.targetRevision"),
        ...asArray<any>(s.sources).map((x) => x.targetRevision),
      ]);
      if (ctx.type === APPSET)
        revs.push(...asArray<any>(get(p, "spec.generators")).map((g) => get(g, "git.revision")));
      return revs
        .filter((r) => r !== undefined && !String(r).includes("{{"))
        .filter((r) => !PINNED_REVISION_RE.test(String(r)))
        .map((r) => `revision "${r}" floats.`)
        .concat(
          revs.every((r) => r === undefined) ? ["no targetRevision: it defaults to HEAD."] : [],
        );
    },
  }),
  resourceRule({
    name: "argo-application-explicit-sync-policy",
    description:
      "Applications must state their sync policy explicitly (automated with prune/selfHeal, or manual by choice) and retry.",
    severity: "low",
    types: [APP, APPSET],
    tags: ["argo", "gitops", "reliability"],
    remediationSteps:
      "Set spec.syncPolicy with automated {prune, selfHeal} and retry with backoff.",
    check: (p, ctx) =>
      appSpecs(ctx.type, p).flatMap((s) => {
        if (!s.syncPolicy) return ["no syncPolicy."];
        return s.syncPolicy.automated && !s.syncPolicy.retry
          ? ["automated sync without retry."]
          : [];
      }),
  }),
  resourceRule({
    name: "argo-rollout-canary-analysis",
    description:
      "Canary Rollouts must run analysis and wait between steps (a pause or an analysis step), so a bad model rolls back on metrics.",
    severity: "high",
    types: [ROLLOUT],
    tags: ["argo", "delivery", "reliability"],
    remediationSteps:
      "Add analysis steps (or strategy.canary.analysis) referencing the canary-vs-stable / canary-slo / prediction-shift / golden-compare templates, and a pause or analysis step between weights.",
    check: (p) => {
      const canary = get(p, "spec.strategy.canary");
      if (!canary) return [];
      const steps = asArray<any>(canary.steps);
      const out: string[] = [];
      if (!canary.analysis && !steps.some((s) => s.analysis))
        out.push("the canary runs no analysis.");
      // An analysis step holds promotion until it succeeds, as a pause does.
      if (!steps.some((s) => s.pause || s.analysis))
        out.push("the canary never waits between steps: add a pause or an analysis step.");
      return out;
    },
  }),
];

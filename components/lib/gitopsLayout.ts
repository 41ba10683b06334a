/**
 * The GitOps repository contract (environments are folders on one branch, never branches):
 *
 *   models/<name>/model.yaml            owners, serving image, port, resources, GPU, smoke test
 *   models/<name>/values-<env>.yaml     per-environment overrides (humans)
 *   models/<name>/release-<env>.yaml    the pinned release: image digest, MLflow version (machine)
 *   models/<name>/rendered/<env>/       plain manifests Argo CD applies (machine-rendered)
 *
 * One home for these names: the platform's ApplicationSet and the models CLI both read them.
 */
export const releaseFileName = (env: string) => `release-${env}.yaml`;
export const valuesFileName = (env: string) => `values-${env}.yaml`;
export const renderedDir = (env: string) => `rendered/${env}`;
export const MODEL_FILE = "model.yaml";

/**
 * The GitHub commit-status context Argo CD notifications set for a model in an environment
 * after a sync (deployed / degraded / sync failed); `models promote` reads it.
 */
export const commitStatusContext = (env: string, model: string) => `mlops/${env}/${model}`;

/** Folder of the model folders (the platform's `gitops.modelsPath` default). */
export const MODELS_DIR = "models";
/** The golden set of a model: one JSON object per line, {"input": ..., "label": ...}. */
export const GOLDEN_FILE = "golden.jsonl";

/**
 * Custom resources built from `@kubernetes-models/*` classes, so each object is
 * checked against its real CRD schema before Pulumi registers anything.
 */
import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import type { ArgProblem } from "../lib/validation";

/** What every `@kubernetes-models` object offers. */
export interface SchemaModel {
  validate(): void;
  toJSON(): Record<string, unknown>;
}

/** Schema problems of several models, keyed by a readable path. Empty when all are valid. */
export function schemaProblems(models: Record<string, SchemaModel>): ArgProblem[] {
  const problems: ArgProblem[] = [];
  for (const [path, model] of Object.entries(models)) {
    try {
      model.validate();
    } catch (e) {
      problems.push({
        propertyPath: path,
        reason: `fails its CRD schema: ${(e as Error).message}`,
      });
    }
  }
  return problems;
}

/**
 * Registers a validated model as a CustomResource in `namespace` (omit for
 * cluster-scoped kinds). Pass the release that installs the CRD in `opts.dependsOn`.
 */
export function customResource(
  name: string,
  model: SchemaModel,
  namespace: pulumi.Input<string> | undefined,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  const json = model.toJSON() as {
    apiVersion: string;
    kind: string;
    metadata?: Record<string, unknown>;
  };
  return new k8s.apiextensions.CustomResource(
    name,
    {
      ...json,
      metadata: { ...(json.metadata ?? {}), ...(namespace ? { namespace } : {}) },
    } as k8s.apiextensions.CustomResourceArgs,
    opts,
  );
}

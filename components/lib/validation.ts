import * as pulumi from "@pulumi/pulumi";

/** One problem with a component's args: the arg path and the fix. */
export interface ArgProblem {
  propertyPath: string;
  reason: string;
}

/**
 * Throws one `pulumi.InputPropertiesError` listing every problem, before the
 * component creates any child. No-op when `problems` is empty.
 */
export function validateArgs(token: string, name: string, problems: ArgProblem[]): void {
  if (problems.length === 0) return;
  throw new pulumi.InputPropertiesError({
    message: `${token} "${name}": ${problems.length} invalid argument${problems.length === 1 ? "" : "s"}: ${problems
      .map((p) => `${p.propertyPath} ${p.reason}`)
      .join("; ")}`,
    errors: problems,
  });
}

/** PromQL syntax check with the official grammar (@prometheus-io/lezer-promql). */
import { parser } from "@prometheus-io/lezer-promql";

/** Syntax errors the official PromQL grammar finds in `expr`, as `at N: <text>`; empty when it parses. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
    },
  });
  return errors;
}

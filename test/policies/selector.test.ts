/** Label selectors as the API server matches them (LabelSelectorAsSelector). */
import { describe, expect, it } from "vitest";
import { selects } from "../../policies/lib/selector";

describe("selects", () => {
  const labels = { app: "mlflow", tier: "server" };
  it.each([
    [{}, true], // an empty selector matches everything
    [{ matchLabels: { app: "mlflow" } }, true],
    [{ matchLabels: { app: "other" } }, false],
    [{ matchExpressions: [{ key: "app", operator: "In", values: ["mlflow", "x"] }] }, true],
    [{ matchExpressions: [{ key: "app", operator: "NotIn", values: ["mlflow"] }] }, false],
    [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, false],
    [{ matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] }, false],
    [
      {
        matchLabels: { app: "mlflow" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }],
      },
      false,
    ],
  ])("%j -> %s", (selector, expected) => {
    expect(selects(selector, labels)).toBe(expected);
  });
  it("no selector at all selects nothing", () => {
    expect(selects(undefined, labels)).toBe(false);
  });
});

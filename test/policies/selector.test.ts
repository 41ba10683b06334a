/** Label selectors as the API server matches them (LabelSelectorAsSelector). */
import { describe, expect, it } from "vitest";
import { selects } from "../../policies/lib/selector";
import { podLabelsOf } from "../../policies/rules/kubernetes/podRule";

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

describe("podLabelsOf: the labels a workload's pods carry, whatever the kind", () => {
  it("reads a Pod's own labels, a CronJob's nested template and a Deployment's template", async () => {
    const labels = { app: "a" };
    expect(podLabelsOf("kubernetes:core/v1:Pod", { metadata: { labels } })).toEqual(labels);
    expect(
      podLabelsOf("kubernetes:batch/v1:CronJob", {
        spec: { jobTemplate: { spec: { template: { metadata: { labels } } } } },
      }),
    ).toEqual(labels);
    expect(
      podLabelsOf("kubernetes:apps/v1:Deployment", {
        spec: { template: { metadata: { labels } } },
      }),
    ).toEqual(labels);
    expect(podLabelsOf("kubernetes:apps/v1:Deployment", {})).toEqual({});
  });
});

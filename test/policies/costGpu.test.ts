/**
 * An EKS node group on an NVIDIA AMI is a GPU pool even when its instance type is missing from
 * components/lib/ec2Gpus.ts: the GPU rules judge it instead of skipping it (a budget bypass).
 */
import { describe, expect, it } from "vitest";
import { allRules } from "../../policies/rules";
import { runResourceRule, runStackRule } from "../../scripts/lib/policyInProcess";

const NG = "aws:eks/nodeGroup:NodeGroup";
const rule = (name: string) => allRules.find((r) => r.name === name)!;
const group = (instance: string, amiType = "AL2023_x86_64_NVIDIA") => ({
  instanceTypes: [instance],
  amiType,
  capacityType: "ON_DEMAND",
  scalingConfig: { minSize: 1, maxSize: 2 },
});

describe("GPU rules on an EKS group whose instance type has no known GPU count", () => {
  it("cost-gpu-budget refuses to pass what it cannot count, and names the file to extend", () => {
    const found = runStackRule(
      rule("cost-gpu-budget"),
      [{ type: NG, name: "big", props: group("p5e.48xlarge") }],
      { maxGpus: 1000 },
    );
    expect(found).toEqual([
      expect.stringMatching(
        /GPU node group big: instance type p5e\.48xlarge has no known GPU count.*components\/lib\/ec2Gpus\.ts/,
      ),
    ]);
    // A listed type is counted as before, and a CPU group (no NVIDIA AMI) is not a GPU pool.
    expect(
      runStackRule(
        rule("cost-gpu-budget"),
        [
          { type: NG, props: group("g6.2xlarge") },
          { type: NG, props: group("m7i.2xlarge", "AL2023_x86_64_STANDARD") },
        ],
        { maxGpus: 2 },
      ),
    ).toEqual([]);
  });

  it("cost-gpu-allowed-types and cost-gpu-spot-scale-to-zero judge it", () => {
    expect(runResourceRule(rule("cost-gpu-allowed-types"), NG, group("p5e.48xlarge"))).toEqual([
      "GPU type p5e.48xlarge is not allowed here.",
    ]);
    expect(
      runResourceRule(
        rule("cost-gpu-spot-scale-to-zero"),
        NG,
        group("g6e.xlarge", "BOTTLEROCKET_x86_64_NVIDIA"),
        {
          requireSpotAndScaleToZero: true,
        },
      ),
    ).toEqual(["not on spot capacity.", "minNodes is 1, not 0."]);
    expect(
      runResourceRule(rule("cost-gpu-allowed-types"), NG, group("m7i.2xlarge", "AL2_x86_64")),
    ).toEqual([]);
  });
});

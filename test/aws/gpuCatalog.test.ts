/** The EKS GPU catalog takes each instance type's GPU count from the one table the pack reads too. */
import { describe, expect, it } from "vitest";
import { EKS_GPUS } from "../../components/aws/gpuCatalog";
import { EC2_GPUS } from "../../components/lib/ec2Gpus";

describe("EKS GPU catalog", () => {
  it("every instance it builds pools from has its GPU count in EC2_GPUS, one instance per count", () => {
    const kinds = Object.entries(EKS_GPUS);
    expect(kinds.length).toBeGreaterThanOrEqual(6);
    for (const [kind, gpu] of kinds) {
      const byCount = Object.entries(gpu!.instanceByCount);
      expect(byCount.length, kind).toBeGreaterThan(0);
      for (const [count, instance] of byCount) {
        expect(EC2_GPUS[instance], `${kind}: ${instance}`).toBe(Number(count));
        expect(instance.startsWith(gpu!.family), `${kind}: ${instance}`).toBe(true);
      }
    }
    expect(EKS_GPUS.l4!.instanceByCount).toEqual({
      1: "g6.2xlarge",
      4: "g6.12xlarge",
      8: "g6.48xlarge",
    });
  });
});

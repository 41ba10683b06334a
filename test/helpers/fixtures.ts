/** Shared test fixtures. */
import type { GpuPoolSpec } from "../../components/model";

/** A cloud-neutral GPU pool: one L4 per node, 0..2 nodes, spot; override any field. */
export const gpuPool = (over: Partial<GpuPoolSpec> = {}): GpuPoolSpec => ({
  name: "l4",
  gpu: "l4",
  gpusPerNode: 1,
  minNodes: 0,
  maxNodes: 2,
  spot: true,
  driverVersion: "DEFAULT",
  ...over,
});

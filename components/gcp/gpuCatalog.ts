/**
 * What a cloud-neutral GPU pool ("l4 x1, 0..4 nodes, spot") becomes on GKE:
 * accelerator type, machine type and the zones that have the accelerator.
 * Pure data and pure functions: no Pulumi, no I/O.
 */
import type { GpuKind, GpuPoolSpec } from "../model";

interface GkeGpu {
  /** `guestAccelerators[].type`. */
  acceleratorType: string;
  /** Machine family prefix the accelerator attaches to (validation of overrides). */
  machineFamily: string;
  /** GPUs per node -> default machine type. The keys are the only legal counts. */
  machineByCount: Record<number, string>;
  /** Counts whose machine type GCP does not sell on demand (Spot or flex-start only). */
  spotOnly?: number[];
}

/**
 * GKE accelerators. Machine types: https://cloud.google.com/compute/docs/gpus
 * (T4 attaches to N1; L4 comes with G2; A100 with A2; H100 with A3).
 */
export const GKE_GPUS: Partial<Record<GpuKind, GkeGpu>> = {
  t4: {
    acceleratorType: "nvidia-tesla-t4",
    machineFamily: "n1-",
    machineByCount: { 1: "n1-standard-8", 2: "n1-standard-16", 4: "n1-standard-32" },
  },
  l4: {
    acceleratorType: "nvidia-l4",
    machineFamily: "g2-",
    machineByCount: {
      1: "g2-standard-8",
      2: "g2-standard-24",
      4: "g2-standard-48",
      8: "g2-standard-96",
    },
  },
  a100: {
    acceleratorType: "nvidia-tesla-a100",
    machineFamily: "a2-",
    machineByCount: {
      1: "a2-highgpu-1g",
      2: "a2-highgpu-2g",
      4: "a2-highgpu-4g",
      8: "a2-highgpu-8g",
      16: "a2-megagpu-16g",
    },
  },
  "a100-80gb": {
    acceleratorType: "nvidia-a100-80gb",
    machineFamily: "a2-",
    machineByCount: {
      1: "a2-ultragpu-1g",
      2: "a2-ultragpu-2g",
      4: "a2-ultragpu-4g",
      8: "a2-ultragpu-8g",
    },
  },
  h100: {
    acceleratorType: "nvidia-h100-80gb",
    machineFamily: "a3-",
    // https://cloud.google.com/compute/docs/accelerator-optimized-machines#a3-high-vms:
    // a3-highgpu-1g/2g/4g are sold only as Spot or flex-start VMs, never on demand.
    spotOnly: [1, 2, 4],
    machineByCount: {
      1: "a3-highgpu-1g",
      2: "a3-highgpu-2g",
      4: "a3-highgpu-4g",
      8: "a3-highgpu-8g",
    },
  },
};

/**
 * Zones that offer each accelerator, for the regions we have checked. GPUs exist
 * only in some zones of a region; a pool placed in all zones fails to scale up in
 * the others. Regions not listed here need `gpuPools[i].zones` in stack config.
 * Re-check with `gcloud compute accelerator-types list --filter="zone~^REGION"`.
 * h100 rows are the zones where `a3-highgpu-*` machine types exist (the accelerator alone is
 * listed in more zones), as `gcloud compute machine-types list --filter="name~^a3-highgpu"`
 * reports them; cross-checked 2026-11-22 with skypilot-catalog catalogs/v8/gcp/vms.csv.
 */
export const GKE_GPU_ZONES: Record<string, Partial<Record<GpuKind, string[]>>> = {
  "us-central1": {
    t4: ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
    l4: ["us-central1-a", "us-central1-b", "us-central1-c"],
    a100: ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
    "a100-80gb": ["us-central1-a", "us-central1-c"],
    h100: ["us-central1-a", "us-central1-b", "us-central1-c"],
  },
  "us-east4": {
    t4: ["us-east4-a", "us-east4-b", "us-east4-c"],
    l4: ["us-east4-a", "us-east4-c"],
    "a100-80gb": ["us-east4-c"],
    h100: ["us-east4-a", "us-east4-b", "us-east4-c"],
  },
  "us-west1": {
    t4: ["us-west1-a", "us-west1-b"],
    l4: ["us-west1-a", "us-west1-b", "us-west1-c"],
    a100: ["us-west1-b"],
    h100: ["us-west1-a", "us-west1-b"],
  },
  "europe-west4": {
    t4: ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
    l4: ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
    a100: ["europe-west4-a", "europe-west4-b"],
    "a100-80gb": ["europe-west4-a"],
    h100: ["europe-west4-b", "europe-west4-c"],
  },
  "europe-west1": {
    t4: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
    l4: ["europe-west1-b", "europe-west1-c"],
    h100: ["europe-west1-b", "europe-west1-c"],
  },
  "asia-southeast1": {
    t4: ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
    l4: ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
    a100: ["asia-southeast1-b", "asia-southeast1-c"],
    h100: ["asia-southeast1-b", "asia-southeast1-c"],
  },
};

/** What a cloud-neutral pool becomes on GKE. */
export interface GkeGpuPlacement {
  acceleratorType: string;
  machineType: string;
  zones: string[];
}

/**
 * Problems with a pool on GKE, one human-readable reason per entry, each
 * naming the fix. Empty when the pool maps cleanly. `path` prefixes reasons.
 */
export function gkeGpuProblems(pool: GpuPoolSpec, region: string | undefined): string[] {
  const gpu = GKE_GPUS[pool.gpu];
  if (!gpu) {
    const offered = Object.keys(GKE_GPUS).join(", ");
    return [`GPU kind "${pool.gpu}" is not offered on GKE: pick one of ${offered}.`];
  }
  const problems: string[] = [];
  const counts = Object.keys(gpu.machineByCount).map(Number);
  if (!pool.machineType && !counts.includes(pool.gpusPerNode)) {
    problems.push(
      `gpusPerNode ${pool.gpusPerNode} is not a GKE shape for ${pool.gpu}: use one of ${counts.join(", ")}.`,
    );
  }
  const shape = pool.machineType ?? gpu.machineByCount[pool.gpusPerNode];
  const onDemandRefused = Object.entries(gpu.machineByCount).find(
    ([n, m]) => m === shape && gpu.spotOnly?.includes(Number(n)),
  );
  if (onDemandRefused && !pool.spot) {
    const full = Math.max(...Object.keys(gpu.machineByCount).map(Number));
    problems.push(
      `${onDemandRefused[1]} is sold only as Spot or flex-start, not on demand: set spot: true, or gpusPerNode: ${full} (${gpu.machineByCount[full]}).`,
    );
  }
  if (pool.machineType && !pool.machineType.startsWith(gpu.machineFamily)) {
    problems.push(
      `machineType "${pool.machineType}" cannot carry ${gpu.acceleratorType}: use a ${gpu.machineFamily}* machine type or drop machineType.`,
    );
  }
  // G2, A2 and A3 machines come with a fixed number of GPUs attached: the override decides
  // the count, and a different gpusPerNode is refused by GKE when the pool is created.
  const bundled = Object.entries(gpu.machineByCount).find(([, m]) => m === pool.machineType);
  if (bundled && gpu.machineFamily !== "n1-" && Number(bundled[0]) !== pool.gpusPerNode)
    problems.push(
      `machineType "${pool.machineType}" comes with ${bundled[0]} x ${pool.gpu}, but gpusPerNode is ${pool.gpusPerNode}: set gpusPerNode to ${bundled[0]} or drop machineType.`,
    );
  if (!pool.zones && region && !GKE_GPU_ZONES[region]?.[pool.gpu]) {
    problems.push(
      `no known ${pool.gpu} zones in region "${region}": set zones explicitly (gcloud compute accelerator-types list --filter="zone~^${region}").`,
    );
  }
  if (pool.zones && region) {
    const foreign = pool.zones.filter((z) => !z.startsWith(`${region}-`));
    if (foreign.length > 0) {
      problems.push(
        `zones ${foreign.join(", ")} are not in region "${region}": list zones of ${region}.`,
      );
    }
  }
  return problems;
}

/** Maps a validated pool to GKE names. Call after {@link gkeGpuProblems} returned nothing. */
export function gkeGpuPlacement(pool: GpuPoolSpec, region: string): GkeGpuPlacement {
  const gpu = GKE_GPUS[pool.gpu];
  if (!gpu) throw new Error(`GPU kind "${pool.gpu}" is not offered on GKE.`);
  const machineType = pool.machineType ?? gpu.machineByCount[pool.gpusPerNode];
  if (!machineType) throw new Error(`no GKE machine type for ${pool.gpusPerNode} x ${pool.gpu}.`);
  const zones = pool.zones ?? GKE_GPU_ZONES[region]?.[pool.gpu] ?? [];
  return { acceleratorType: gpu.acceleratorType, machineType, zones };
}

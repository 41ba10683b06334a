import * as k8s from "../lib/k8s";
import * as pulumi from "@pulumi/pulumi";
import { GPU_KIND_LABEL, GPU_RESOURCE, type NodeTaint } from "../contracts";
import { CHARTS, pinnedRelease } from "../lib/helm";

export interface GpuAddonsArgs {
  /** Install the NVIDIA device plugin (EKS); GKE installs its own. */
  devicePlugin: boolean;
  /** Host directory of the NVIDIA driver when no container toolkit injects it (GKE); see the cluster contract. */
  driverHostPath?: string;
  /** Namespace for the add-ons (kube-system is typical for the device plugin). */
  namespace: pulumi.Input<string>;
  /** Taint on GPU nodes; the DaemonSets must tolerate it or GPU nodes never advertise GPUs. */
  gpuTaint: NodeTaint;
  /** The release that brings the ServiceMonitor CRD (DCGM exporter's monitor). */
  monitoringRelease: pulumi.Resource;
}

/** Tolerations for GPU nodes: the GPU taint plus any NoSchedule taint keyed on the GPU resource. Pure. */
export function gpuTolerations(taint: NodeTaint) {
  const tolerations = [{ key: taint.key, operator: "Exists", effect: taint.effect }];
  if (taint.key !== GPU_RESOURCE)
    tolerations.push({ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" });
  return tolerations;
}

/** Node affinity to the platform's GPU pools (every GPU node carries the GPU-kind label on both clouds). Pure. */
export const GPU_NODE_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_KIND_LABEL, operator: "Exists" }] }],
    },
  },
};

/** Where the exporter expects the driver's libraries when they come from the host (as GKE's DCGM example does). */
const CONTAINER_DRIVER_DIR = "/usr/local/nvidia";

/**
 * dcgm-exporter chart values (keys checked against dcgm-exporter 4.8.2
 * deployment/values.yaml). With `driverHostPath` (GKE) the driver directory is
 * mounted from the host, its libraries put on LD_LIBRARY_PATH, and the
 * container runs privileged to open /dev/nvidia* (nothing injects the devices
 * there); the chart's own counters mount is kept, since setting
 * `extraVolumeMounts` replaces the chart's list. Pure.
 */
export function dcgmExporterValues(taint: NodeTaint, driverHostPath?: string) {
  const base = {
    tolerations: gpuTolerations(taint),
    affinity: GPU_NODE_AFFINITY,
    serviceMonitor: { enabled: true, interval: "30s" },
  };
  if (!driverHostPath) return base;
  return {
    ...base,
    extraHostVolumes: [{ name: "nvidia-driver", hostPath: driverHostPath }],
    extraVolumeMounts: [
      // The chart default (values.yaml extraVolumeMounts), kept.
      {
        name: "exporter-metrics-volume",
        mountPath: "/etc/dcgm-exporter/default-counters.csv",
        subPath: "default-counters.csv",
      },
      { name: "nvidia-driver", mountPath: CONTAINER_DRIVER_DIR, readOnly: true },
    ],
    extraEnv: [{ name: "LD_LIBRARY_PATH", value: `${CONTAINER_DRIVER_DIR}/lib64` }],
    // privileged needs allowPrivilegeEscalation (the chart's default is false; the API server refuses the pair).
    securityContext: { privileged: true, allowPrivilegeEscalation: true },
  };
}

/**
 * GPU add-ons: the DCGM exporter on every cloud (so the GPU alerts read the
 * same metrics everywhere) and the NVIDIA device plugin where the cloud does
 * not provide it (EKS).
 */
export class GpuAddons extends pulumi.ComponentResource {
  public readonly releases: k8s.Release[] = [];

  constructor(name: string, args: GpuAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:gpu:GpuAddons", name, {}, opts);
    if (args.devicePlugin) {
      this.releases.push(
        pinnedRelease(
          `${name}-device-plugin`,
          CHARTS.nvidiaDevicePlugin,
          {
            releaseName: "nvidia-device-plugin",
            namespace: args.namespace,
            // Keys checked against nvidia-device-plugin 0.17.1 deployments/helm/nvidia-device-plugin/values.yaml.
            values: {
              tolerations: gpuTolerations(args.gpuTaint),
              affinity: GPU_NODE_AFFINITY,
              priorityClassName: "system-node-critical",
            },
          },
          { parent: this },
        ),
      );
    }
    this.releases.push(
      pinnedRelease(
        `${name}-dcgm-exporter`,
        CHARTS.dcgmExporter,
        {
          releaseName: "dcgm-exporter",
          namespace: args.namespace,
          values: dcgmExporterValues(args.gpuTaint, args.driverHostPath),
        },
        { parent: this, dependsOn: [args.monitoringRelease] },
      ),
    );
    this.registerOutputs({});
  }
}

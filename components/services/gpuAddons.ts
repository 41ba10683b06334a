import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_RESOURCE, type NodeTaint } from "../contracts";
import { CHARTS, pinnedRelease } from "../lib/helm";

export interface GpuAddonsArgs {
  /** Install the NVIDIA device plugin and DCGM exporter (EKS); on GKE the cloud does both. */
  install: boolean;
  /** Namespace for the add-ons (kube-system is typical for the device plugin). */
  namespace: pulumi.Input<string>;
  /** Taint on GPU nodes; the DaemonSets must tolerate it or GPU nodes never advertise GPUs. */
  gpuTaint: NodeTaint;
  /** The release that brings the ServiceMonitor CRD (DCGM exporter's monitor). */
  monitoringRelease?: pulumi.Resource;
}

/** Tolerations for GPU nodes: the GPU taint plus any NoSchedule taint keyed on the GPU resource. Pure. */
export function gpuTolerations(taint: NodeTaint) {
  const tolerations = [{ key: taint.key, operator: "Exists", effect: taint.effect }];
  if (taint.key !== GPU_RESOURCE)
    tolerations.push({ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" });
  return tolerations;
}

/** Node affinity to nodes that have NVIDIA hardware (labels set by EKS AMIs / NFD / our pools). Pure. */
export const GPU_NODE_AFFINITY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "mlops.dev/gpu", operator: "Exists" }] }],
    },
  },
};

/**
 * NVIDIA device plugin and DCGM exporter where the cloud does not provide them
 * (EKS); nothing where it does (GKE installs drivers, the plugin and DCGM).
 */
export class GpuAddons extends pulumi.ComponentResource {
  public readonly releases: k8s.helm.v3.Release[] = [];

  constructor(name: string, args: GpuAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:gpu:GpuAddons", name, {}, opts);
    if (args.install) {
      const tolerations = gpuTolerations(args.gpuTaint);
      this.releases.push(
        pinnedRelease(
          `${name}-device-plugin`,
          CHARTS.nvidiaDevicePlugin,
          {
            releaseName: "nvidia-device-plugin",
            namespace: args.namespace,
            values: {
              tolerations,
              affinity: GPU_NODE_AFFINITY,
              priorityClassName: "system-node-critical",
            },
          },
          { parent: this },
        ),
        pinnedRelease(
          `${name}-dcgm-exporter`,
          CHARTS.dcgmExporter,
          {
            releaseName: "dcgm-exporter",
            namespace: args.namespace,
            values: {
              tolerations,
              affinity: GPU_NODE_AFFINITY,
              serviceMonitor: { enabled: true, interval: "30s" },
            },
          },
          { parent: this, dependsOn: args.monitoringRelease ? [args.monitoringRelease] : [] },
        ),
      );
    }
    this.registerOutputs({});
  }
}

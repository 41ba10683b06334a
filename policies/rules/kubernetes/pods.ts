/** Pod security and resources, for the pod template of every workload kind. */
import { isPinnedImage } from "../../../components/lib/images";
import { GPU_RESOURCE, GPU_TAINT } from "../../../components/model";
import { k8sCis } from "../../lib/frameworks";
import { asArray, get, globRegExp, type Rule } from "../../lib/rule";
import { podRule, containersOf } from "./podRule";

/**
 * The registry host of an image reference, as the container runtime resolves it
 * (distribution/reference: a first component with a dot or a port, or localhost, is a host;
 * anything else is on Docker Hub).
 */
export function registryOf(image: string): string {
  const first = image.split("/")[0];
  return image.includes("/") && (/[.:]/.test(first) || first === "localhost") ? first : "docker.io";
}

export const podRules: Rule[] = [
  podRule({
    name: "k8s-pod-no-privileged",
    covers: [
      "CKV_K8S_16",
      "CKV_K8S_39",
      "AVD-KSV-0005",
      "AVD-KSV-0017",
      "AVD-KSV-0106",
      "AVD-KSV-0119",
      "AVD-KSV-0120",
      "kube-linter:privileged-container",
      "polaris:dangerousCapabilities",
      "polaris:runAsPrivileged",
      "kubescape:C-0046",
      "kubescape:C-0057",
    ],
    description: "Containers must not run privileged or add capabilities beyond NET_BIND_SERVICE.",
    severity: "critical",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.2", "Minimize the admission of privileged containers"),
    remediationSteps: "Remove securityContext.privileged and capabilities.add; drop ALL.",
    checkPod: (spec) =>
      containersOf(spec).flatMap((c) => {
        const out: string[] = [];
        if (get(c, "securityContext.privileged") === true)
          out.push(`container ${c.name} is privileged.`);
        const added = asArray<string>(get(c, "securityContext.capabilities.add")).filter(
          (cap) => cap !== "NET_BIND_SERVICE",
        );
        if (added.length) out.push(`container ${c.name} adds ${added.join(", ")}.`);
        return out;
      }),
  }),
  podRule({
    name: "k8s-pod-no-host-namespaces",
    covers: [
      "CKV_K8S_17",
      "CKV_K8S_18",
      "CKV_K8S_19",
      "AVD-KSV-0008",
      "AVD-KSV-0009",
      "AVD-KSV-0010",
      "kube-linter:host-ipc",
      "kube-linter:host-network",
      "kube-linter:host-pid",
      "polaris:hostIPCSet",
      "polaris:hostNetworkSet",
      "polaris:hostPIDSet",
      "kubescape:C-0038",
      "kubescape:C-0041",
      "kubescape:C-0275",
      "kubescape:C-0276",
    ],
    description: "Pods must not share the node's network, PID or IPC namespaces.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis(
      "5.2.4",
      "Minimize the admission of containers wishing to share the host network namespace",
    ),
    remediationSteps: "Remove hostNetwork, hostPID and hostIPC.",
    checkPod: (spec) =>
      ["hostNetwork", "hostPID", "hostIPC"]
        .filter((k) => spec[k] === true)
        .map((k) => `${k} is true.`),
  }),
  podRule({
    name: "k8s-pod-no-hostpath",
    covers: [
      "AVD-KSV-0121",
      "CKV_K8S_27",
      "AVD-KSV-0006",
      "AVD-KSV-0023",
      "kube-linter:docker-sock",
      "kube-linter:sensitive-host-mounts",
      "kube-linter:writable-host-mount",
      "polaris:hostPathSet",
      "kubescape:C-0020",
      "kubescape:C-0045",
      "kubescape:C-0048",
      "kubescape:C-0074",
    ],
    description: "Pods must not mount hostPath volumes.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.12", "Minimize the admission of HostPath volumes"),
    remediationSteps: "Use emptyDir, a PVC, a ConfigMap or a CSI volume instead.",
    checkPod: (spec) =>
      asArray<any>(spec.volumes)
        .filter((v) => v.hostPath)
        .map((v) => `volume ${v.name} is a hostPath.`),
  }),
  podRule({
    name: "k8s-pod-restricted-security-context",
    covers: [
      "CKV_K8S_29",
      "CKV_K8S_30",
      "CKV_K8S_20",
      "CKV_K8S_23",
      "CKV_K8S_28",
      "CKV_K8S_31",
      "CKV_K8S_37",
      "AVD-KSV-0001",
      "AVD-KSV-0003",
      "AVD-KSV-0004",
      "AVD-KSV-0012",
      "AVD-KSV-0030",
      "AVD-KSV-0104",
      "kube-linter:privilege-escalation-container",
      "kube-linter:run-as-non-root",
      "kube-linter:drop-net-raw-capability",
      "polaris:insecureCapabilities",
      "polaris:linuxHardening",
      "polaris:privilegeEscalationAllowed",
      "polaris:runAsRootAllowed",
      "kubescape:C-0013",
      "kubescape:C-0016",
      "kubescape:C-0046",
      "kubescape:C-0055",
      "kubescape:C-0210",
      "kubescape:C-0211",
    ],
    description:
      "Containers must run as non-root, without privilege escalation, with ALL capabilities dropped and the RuntimeDefault seccomp profile.",
    severity: "high",
    tags: ["kubernetes", "pod-security"],
    framework: k8sCis("5.2.6", "Minimize the admission of root containers"),
    remediationSteps:
      "Set runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault.",
    checkPod: (spec) =>
      containersOf(spec).flatMap((c) => {
        const sc = c.securityContext ?? {};
        const pod = spec.securityContext ?? {};
        const out: string[] = [];
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true)
          out.push(`${c.name}: runAsNonRoot is not true.`);
        if (sc.allowPrivilegeEscalation !== false)
          out.push(`${c.name}: allowPrivilegeEscalation is not false.`);
        if (!asArray<string>(get(sc, "capabilities.drop")).includes("ALL"))
          out.push(`${c.name}: capabilities.drop lacks ALL.`);
        const seccomp = get(sc, "seccompProfile.type") ?? get(pod, "seccompProfile.type");
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
          out.push(`${c.name}: seccompProfile is not RuntimeDefault.`);
        return out;
      }),
  }),
  podRule({
    name: "k8s-pod-resources",
    covers: [
      "CKV_K8S_10",
      "CKV_K8S_12",
      "CKV_K8S_13",
      "AVD-KSV-0015",
      "AVD-KSV-0016",
      "AVD-KSV-0018",
      "kube-linter:unset-memory-requirements",
      "polaris:cpuRequestsMissing",
      "polaris:memoryLimitsMissing",
      "polaris:memoryRequestsMissing",
      "kubescape:C-0004",
      "kubescape:C-0268",
      "kubescape:C-0269",
      "kubescape:C-0271",
    ],
    description: "Containers must declare CPU and memory requests and a memory limit.",
    severity: "medium",
    tags: ["kubernetes", "reliability", "cost"],
    remediationSteps:
      "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory.",
    checkPod: (spec) =>
      asArray<any>(spec.containers).flatMap((c) => {
        const missing = ["requests.cpu", "requests.memory", "limits.memory"].filter(
          (k) => !get(c.resources, k),
        );
        return missing.length ? [`${c.name}: missing ${missing.join(", ")}.`] : [];
      }),
  }),
  podRule<{ gpuTaintKey: string }>({
    name: "k8s-pod-gpu-requests",
    description:
      "Containers using GPUs must request exactly their limit, and the pod must tolerate the GPU taint.",
    severity: "medium",
    tags: ["kubernetes", "gpu", "cost"],
    remediationSteps:
      "Set nvidia.com/gpu in limits (requests equal or absent) and add a toleration for the GPU taint key.",
    config: {
      gpuTaintKey: {
        type: "string",
        default: GPU_TAINT.key,
        description: "Taint key on GPU nodes.",
      },
    },
    checkPod: (spec, config) => {
      const out: string[] = [];
      let usesGpu = false;
      for (const c of asArray<any>(spec.containers)) {
        const lim = get(c.resources, "limits")?.[GPU_RESOURCE];
        const req = get(c.resources, "requests")?.[GPU_RESOURCE];
        if (lim === undefined && req === undefined) continue;
        usesGpu = true;
        if (lim === undefined) out.push(`${c.name}: requests GPUs without a limit.`);
        else if (req !== undefined && String(req) !== String(lim))
          out.push(`${c.name}: GPU request ${req} != limit ${lim}.`);
      }
      if (
        usesGpu &&
        !asArray<any>(spec.tolerations).some(
          (t) => t.key === config.gpuTaintKey || (t.operator === "Exists" && !t.key),
        )
      ) {
        out.push(
          `the pod does not tolerate the ${config.gpuTaintKey} taint, so it can never land on a GPU node.`,
        );
      }
      return out;
    },
  }),
  podRule<{ allowedRegistries: string[] }>({
    name: "k8s-pod-pinned-images",
    covers: [
      "CKV_K8S_14",
      "AVD-KSV-0013",
      "kube-linter:latest-tag",
      "AVD-KSV-0125",
      "polaris:tagNotSpecified",
      "kubescape:C-0001",
      "kubescape:C-0075",
      "kubescape:C-0078",
      "kubescape:C-0253",
    ],
    description:
      "Images must be pinned to a version tag (one with a number) or digest, never latest, a floating name such as alpine or stable, or untagged, must not come from the frozen k8s.gcr.io, and must come from the registries the stack allows (allowedRegistries; any registry when the list is empty).",
    severity: "medium",
    tags: ["kubernetes", "supply-chain"],
    remediationSteps:
      "Use repo/image:1.2.3 or repo/image@sha256:<digest>, from a registry in allowedRegistries (mirror it there).",
    config: {
      allowedRegistries: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Registry hosts (globs, e.g. europe-docker.pkg.dev, *.dkr.ecr.*.amazonaws.com) images may come from; empty allows any.",
      },
    },
    checkPod: (spec, config) =>
      containersOf(spec).flatMap((c) => {
        const img = String(c.image ?? "");
        const out: string[] = [];
        if (!isPinnedImage(img)) out.push(`${c.name}: image ${c.image} is not pinned.`);
        const host = registryOf(img);
        // Frozen since April 2023: no new images or fixes (kubernetes.io blog, 2023-03-10).
        if (host === "k8s.gcr.io")
          out.push(
            `${c.name}: image ${c.image} comes from k8s.gcr.io, frozen; use registry.k8s.io.`,
          );
        if (
          config.allowedRegistries.length > 0 &&
          !config.allowedRegistries.some((g) => globRegExp(g).test(host))
        )
          out.push(`${c.name}: image ${c.image} comes from ${host}, not an allowed registry.`);
        return out;
      }),
  }),
];

/**
 * The golden-set comparison, an Argo Rollouts Job analysis step: the model's small labelled
 * set (a ConfigMap rendered next to the Rollout) is sent to the canary and to the stable
 * Service; the step fails when the canary's precision on the positive label drops more than
 * `max-precision-drop` below stable's, or when the two disagree on more than
 * `max-disagreement` of the examples. Usable where there is no live traffic (staging).
 * Runs with the Python of the MLflow image the platform already pins; standard library only.
 */
import { GOLDEN_FILE } from "../lib/gitopsLayout";
import { ClusterAnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/ClusterAnalysisTemplate";

export const GOLDEN_COMPARE_TEMPLATE = "golden-compare";
export const GOLDEN_ARGS = {
  canaryUrl: "canary-url",
  stableUrl: "stable-url",
  configMap: "golden-configmap",
  positiveLabel: "positive-label",
  maxPrecisionDrop: "max-precision-drop",
  maxDisagreement: "max-disagreement",
} as const;
/** Where the Job mounts the golden ConfigMap, and the key holding the set (the file's own name). */
export const GOLDEN_MOUNT = "/golden";
export const GOLDEN_KEY = GOLDEN_FILE;
/** Default limits of the comparison (model.yaml `golden` overrides them). */
export const GOLDEN_DEFAULTS = { maxPrecisionDrop: 0.02, maxDisagreement: 0.05 };

/**
 * The comparison. argv: golden-file canary-url stable-url positive-label max-precision-drop
 * max-disagreement. A response body is the prediction itself or {"prediction": ...}.
 * Exit 0: pass; 1: fail; 2: could not compare (a Service down counts as a failure for Argo).
 */
export const GOLDEN_COMPARE_SCRIPT = `
import json, sys, urllib.request

golden, canary, stable, positive = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
max_drop, max_disagree = float(sys.argv[5]), float(sys.argv[6])

def predict(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        out = json.loads(res.read())
    return out["prediction"] if isinstance(out, dict) and "prediction" in out else out

def precision(preds, labels):
    chosen = [l for p, l in zip(preds, labels) if str(p) == positive]
    return sum(1 for l in chosen if str(l) == positive) / len(chosen) if chosen else 0.0

examples = [json.loads(l) for l in open(golden) if l.strip()]
labels = [e["label"] for e in examples]
try:
    c = [predict(canary, e["input"]) for e in examples]
    s = [predict(stable, e["input"]) for e in examples]
except Exception as err:
    print(json.dumps({"error": str(err)}))
    sys.exit(2)
drop = precision(s, labels) - precision(c, labels)
disagree = sum(1 for a, b in zip(c, s) if str(a) != str(b)) / len(examples)
ok = drop <= max_drop and disagree <= max_disagree
print(json.dumps({"examples": len(examples), "precision_canary": precision(c, labels),
                  "precision_stable": precision(s, labels), "precision_drop": drop,
                  "disagreement": disagree, "pass": ok}))
sys.exit(0 if ok else 1)
`.trim();

const arg = (n: string) => `{{args.${n}}}`;

/** The ClusterAnalysisTemplate; `image` is the pinned MLflow image (it has Python). Pure. */
export function goldenCompareTemplate(image: string, runAsUser: number): ClusterAnalysisTemplate {
  return new ClusterAnalysisTemplate({
    metadata: { name: GOLDEN_COMPARE_TEMPLATE },
    spec: {
      args: [
        { name: GOLDEN_ARGS.canaryUrl },
        { name: GOLDEN_ARGS.stableUrl },
        { name: GOLDEN_ARGS.configMap },
        { name: GOLDEN_ARGS.positiveLabel, value: "1" },
        { name: GOLDEN_ARGS.maxPrecisionDrop, value: String(GOLDEN_DEFAULTS.maxPrecisionDrop) },
        { name: GOLDEN_ARGS.maxDisagreement, value: String(GOLDEN_DEFAULTS.maxDisagreement) },
      ],
      metrics: [
        {
          name: "golden-set",
          // A Job analysis: success when the Job succeeds, failure when it fails.
          provider: {
            job: {
              spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: 600,
                template: {
                  spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: {
                      runAsNonRoot: true,
                      runAsUser,
                      seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [
                      {
                        name: "compare",
                        image,
                        command: ["python", "-c", GOLDEN_COMPARE_SCRIPT],
                        args: [
                          `${GOLDEN_MOUNT}/${GOLDEN_KEY}`,
                          arg(GOLDEN_ARGS.canaryUrl),
                          arg(GOLDEN_ARGS.stableUrl),
                          arg(GOLDEN_ARGS.positiveLabel),
                          arg(GOLDEN_ARGS.maxPrecisionDrop),
                          arg(GOLDEN_ARGS.maxDisagreement),
                        ],
                        resources: {
                          requests: { cpu: "50m", memory: "64Mi" },
                          limits: { memory: "256Mi" },
                        },
                        securityContext: {
                          allowPrivilegeEscalation: false,
                          readOnlyRootFilesystem: true,
                          capabilities: { drop: ["ALL"] },
                        },
                        volumeMounts: [{ name: "golden", mountPath: GOLDEN_MOUNT, readOnly: true }],
                      },
                    ],
                    volumes: [{ name: "golden", configMap: { name: arg(GOLDEN_ARGS.configMap) } }],
                  },
                },
              },
            },
          },
        },
      ],
    } as never,
  });
}

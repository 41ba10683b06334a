/**
 * The files of a GitOps repo's model folder, as zod schemas, and one reader that turns any
 * problem into "file: key: what is wrong and the fix". Layout: components/lib/gitopsLayout.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { ENVIRONMENTS, GPU_KINDS } from "../../components/model";
import { MODELS_DIR } from "../../components/lib/gitopsLayout";
import { GOLDEN_DEFAULTS } from "../../components/services/goldenCompare";

export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** An image repository without tag or digest: registry/path. */
const IMAGE_REPO = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;
export const DIGEST_REF = /^(?<repo>[^@\s]+)@sha256:[a-f0-9]{64}$/;
const QUANTITY_CPU = /^\d+(\.\d+)?m?$/;
const QUANTITY_MEM = /^\d+(Ki|Mi|Gi|Ti)$/;
const DURATION = /^(\d+)(m|h|d)$/;

const cpu = z.string().regex(QUANTITY_CPU, { error: "is not a CPU quantity: write 500m or 2." });
const memory = z
  .string()
  .regex(QUANTITY_MEM, { error: "is not a memory quantity: write 512Mi or 4Gi." });
const resources = z.strictObject({
  requests: z.strictObject({ cpu, memory }),
  limits: z.strictObject({ cpu: cpu.optional(), memory }),
});
const duration = z.string().regex(DURATION, { error: "is not a duration: write 30m, 2h or 1d." });

/** Per-model overrides of the platform's canary limits (`canary` stack config). */
const thresholds = z
  .strictObject({
    minSuccessRate: z.number().min(0.5).max(1),
    maxP95LatencySeconds: z.number().positive(),
    maxErrorRateIncrease: z.number().min(0).max(1),
    maxLatencyRatio: z.number().min(1),
    maxPredictionShift: z.number().min(0).max(1),
    minRequestsPerSecond: z.number().positive(),
  })
  .partial();

export const modelSchema = z.strictObject({
  /** Same as the folder name; the Rollout and its Services are named after it. */
  name: z.string().regex(DNS_LABEL, {
    error: "must be a DNS label of at most 40 characters: lowercase letters, digits and -.",
  }),
  /** GitHub users or teams owning the model (CODEOWNERS). */
  owners: z
    .array(z.string().regex(/^@[\w.-]+(\/[\w.-]+)?$/, { error: "must be @user or @org/team." }))
    .min(1, { error: "needs at least one owner (@org/team)." }),
  /** Registered model name in MLflow. */
  mlflowModel: z.string().min(1),
  image: z.strictObject({
    repository: z.string().regex(IMAGE_REPO, {
      error: "must be an image repository without tag or digest, e.g. ghcr.io/acme/fraud-server.",
    }),
  }),
  port: z.number().int().min(1024).max(65535).default(8080),
  /** HTTP path answering 200 when the model is loaded (readiness and liveness). */
  healthPath: z.string().startsWith("/").default("/health"),
  /** HTTP path the golden comparison and smoke test POST inputs to. */
  predictPath: z.string().startsWith("/").default("/predict"),
  resources,
  gpu: z
    .strictObject({
      kind: z.enum(GPU_KINDS),
      count: z.number().int().min(1).max(8),
    })
    .optional(),
  /** Runs in the candidate image before any sync (PreSync); the golden set is at /golden/golden.jsonl. */
  smokeTest: z.strictObject({ command: z.array(z.string().min(1)).min(1) }),
  /** The server exports model_predictions_total{outcome}: prod adds the prediction-shift analysis. */
  predictions: z.boolean().default(false),
  /**
   * Namespaces whose pods may call the model (its NetworkPolicy); the models namespace itself
   * (other models, the golden comparison) and monitoring (the scrape) always may.
   */
  clientNamespaces: z
    .array(z.string().regex(DNS_LABEL, { error: "must be a namespace name." }))
    .default([]),
  canary: thresholds.default({}),
  /** Golden-set comparison limits against the stable version. */
  golden: z
    .strictObject({
      maxPrecisionDrop: z.number().min(0).max(1).default(GOLDEN_DEFAULTS.maxPrecisionDrop),
      maxDisagreement: z.number().min(0).max(1).default(GOLDEN_DEFAULTS.maxDisagreement),
    })
    .default(GOLDEN_DEFAULTS),
  /** How long a release must have run successfully in an environment before it may be promoted from it. */
  soak: z
    .strictObject({ dev: duration, staging: duration })
    .partial()
    .default({})
    .transform((s) => ({ dev: s.dev ?? "1h", staging: s.staging ?? "24h" })),
});
export type ModelSpec = z.infer<typeof modelSchema>;

export const valuesSchema = z.strictObject({
  replicas: z.number().int().min(1).max(50),
  resources: resources.optional(),
  canary: thresholds.optional(),
});
export type ModelValues = z.infer<typeof valuesSchema>;

export const releaseSchema = z.strictObject({
  image: z.string().regex(DIGEST_REF, {
    error: "must be an image pinned by digest: <repository>@sha256:<64 hex>.",
  }),
  mlflow: z.strictObject({ model: z.string().min(1), version: z.number().int().positive() }),
  provenance: z.strictObject({
    /** Environment the release was promoted from; absent for a bump. */
    from: z.enum(ENVIRONMENTS).optional(),
    /** Commit of the GitOps repo the source release was read at. */
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/)
      .optional(),
    time: z.iso.datetime(),
  }),
});
export type Release = z.infer<typeof releaseSchema>;

/** One golden example: the JSON body the server takes, and the expected label. */
export const goldenLineSchema = z.strictObject({
  input: z.unknown(),
  label: z.union([z.string(), z.number()]),
});

/** A refused file: every problem names the file and the key. */
export class FileProblems extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Reads and validates a YAML file; throws FileProblems naming file and keys. */
export function readYaml<T extends z.ZodType>(file: string, schema: T, rel = file): z.output<T> {
  if (!fs.existsSync(file)) throw new FileProblems([`${rel}: missing.`]);
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (e) {
    const where = e instanceof YAMLParseError ? ` at line ${e.linePos?.[0].line}` : "";
    throw new FileProblems([
      `${rel}: not valid YAML${where}: ${(e as Error).message.split("\n")[0]}`,
    ]);
  }
  const res = schema.safeParse(doc ?? {});
  if (res.success) return res.data;
  const keyOf = (path: PropertyKey[]) =>
    path
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
      .join("")
      .replace(/^\./, "");
  throw new FileProblems(
    res.error.issues.flatMap((i) => {
      if (i.code === "unrecognized_keys")
        return i.keys.map(
          (k) => `${rel}: ${keyOf([...i.path, k])} is not a known key: remove it (a typo?)`,
        );
      const what = i.code === "invalid_type" && i.input === undefined ? "is required" : i.message;
      return [`${rel}: ${keyOf(i.path) || "(file)"} ${what}`];
    }),
  );
}

export function readGolden(file: string, rel = file): { input: unknown; label: string | number }[] {
  if (!fs.existsSync(file))
    throw new FileProblems([
      `${rel}: missing: add a few labelled examples, one JSON object per line: {"input": ..., "label": ...}.`,
    ]);
  const out: { input: unknown; label: string | number }[] = [];
  const problems: string[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const r = goldenLineSchema.safeParse(JSON.parse(line));
        if (r.success) out.push(r.data as { input: unknown; label: string | number });
        else problems.push(`${rel}: line ${i + 1} needs {"input": ..., "label": ...}.`);
      } catch {
        problems.push(`${rel}: line ${i + 1} is not JSON.`);
      }
    });
  if (out.length === 0 && problems.length === 0)
    problems.push(`${rel}: empty: add labelled examples.`);
  if (problems.length) throw new FileProblems(problems);
  return out;
}

export const modelDir = (repo: string, name: string) => path.join(repo, MODELS_DIR, name);

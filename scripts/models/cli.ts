/**
 * `npm run models -- <command>`: carries a model version from the MLflow registry to a canary
 * in prod through the GitOps repo. Exit codes: 0 done, 1 refused or a failed check,
 * 2 bad arguments. Every refusal is one line naming the file or key and the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { GPU_KINDS, type Environment } from "../../components/model";
import {
  MODELS_DIR,
  GOLDEN_FILE,
  MODEL_FILE,
  valuesFileName,
} from "../../components/lib/gitopsLayout";
import { analysisTemplates } from "../../components/services/argoRollouts";
import { allRules, argoRules, costRules, kubernetesRules } from "../../policies/rules";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { runResourceRule, runStackRule } from "../lib/policyInProcess";
import { readPolicyConfig, resolvePolicyConfig, type EnforcementLevel } from "../lib/policyEngine";
import { promqlErrors } from "../lib/promql";
import { schemaViolations, typeToken } from "../lib/strictSchema";
import { commitStatuses, durationMs, mlflowVersionStatus, statusContext } from "./remote";
import { ENVS, Repo } from "./repo";
import { GOLDEN_KEY, GOLDEN_MOUNT } from "../../components/services/goldenCompare";
import type { RenderedObject } from "./render";
import { DIGEST_REF, DNS_LABEL, FileProblems, modelSchema, type Release } from "./schemas";
import { MODEL_PR_WORKFLOW, README, codeowners, modelYaml } from "./skeleton";

export const HELP = `npm run models -- <command> [options]

  init <dir> --ml-leads @org/team          a new GitOps repo skeleton
  scaffold <name> --repo <dir> --image <repository> --owner @org/team [--mlflow-model <name>]
           [--gpu <kind> --gpus <n>]        model.yaml and values files (no release: nothing deploys)
  bump <name> --env dev --image <repo@sha256:...> --model-version <n> --repo <dir>
           [--mlflow-url <url>]             a new dev release, after MLflow says the version is READY
  promote <name> --from dev --to staging --repo <dir> [--github-repo owner/name]
           [--github-api <url>]             the same digest one environment up, once the source
                                            has reported success for the model's soak time
  render --repo <dir> [--check]            rendered/ from the inputs; --check fails on drift
  verify --repo <dir>                      what model pull requests run
  rollback <name> --env <env> --repo <dir> the previous release back, as a new commit
  status <name> --repo <dir>               the release in each environment

Exit codes: 0 done, 1 refused or a check failed, 2 bad arguments.
Environment: MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME/PASSWORD, GITHUB_TOKEN, GITHUB_REPOSITORY.`;

class Exit extends Error {
  constructor(
    public readonly code: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}
const refuse = (m: string) => new Exit(1, m);
const badArgs = (m: string) => new Exit(2, `${m} (npm run models -- --help)`);

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  now: () => Date;
}

const OPTIONS = {
  repo: { type: "string" },
  image: { type: "string" },
  owner: { type: "string" },
  "mlflow-model": { type: "string" },
  gpu: { type: "string" },
  gpus: { type: "string" },
  env: { type: "string" },
  "model-version": { type: "string" },
  "mlflow-url": { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "github-repo": { type: "string" },
  "github-api": { type: "string" },
  "ml-leads": { type: "string" },
  check: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Opts = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

function need(o: Opts, key: keyof typeof OPTIONS): string {
  const v = o[key];
  if (typeof v !== "string" || !v) throw badArgs(`--${key} is required`);
  return v;
}
function envOf(v: string, key: string): Environment {
  if (!ENVS.includes(v as Environment)) throw badArgs(`--${key} must be one of ${ENVS.join(", ")}`);
  return v as Environment;
}
function repoOf(o: Opts): Repo {
  const dir = need(o, "repo");
  if (!fs.existsSync(path.join(dir, MODELS_DIR)))
    throw badArgs(`--repo ${dir} has no ${MODELS_DIR}/ folder: run models init first`);
  return new Repo(path.resolve(dir));
}
function modelOf(repo: Repo, name: string | undefined): string {
  if (!name) throw badArgs("name the model");
  if (!fs.existsSync(path.join(repo.dir(name), MODEL_FILE)))
    throw refuse(
      `${MODELS_DIR}/${name}/${MODEL_FILE}: missing: run models scaffold ${name} first.`,
    );
  return name;
}

async function init(pos: string[], o: Opts, io: Io) {
  const dir = pos[0];
  if (!dir) throw badArgs("init needs a directory");
  const leads = need(o, "ml-leads");
  if (!/^@[\w.-]+(\/[\w.-]+)?$/.test(leads)) throw badArgs("--ml-leads must be @user or @org/team");
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f !== ".git"))
    throw refuse(`${dir}: not empty: init makes a new repo.`);
  fs.mkdirSync(path.join(dir, MODELS_DIR), { recursive: true });
  fs.mkdirSync(path.join(dir, "apps"), { recursive: true });
  fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
  fs.writeFileSync(path.join(dir, MODELS_DIR, ".gitkeep"), "");
  fs.writeFileSync(path.join(dir, "apps", ".gitkeep"), "");
  fs.writeFileSync(path.join(dir, ".github", "workflows", "model-pr.yml"), MODEL_PR_WORKFLOW);
  fs.writeFileSync(path.join(dir, "CODEOWNERS"), codeowners(leads));
  fs.writeFileSync(path.join(dir, "README.md"), README);
  const repo = new Repo(path.resolve(dir));
  if (!fs.existsSync(path.join(dir, ".git"))) repo.git(["init", "-q", "-b", "main"]);
  io.out(
    `initialised ${dir}: models/, apps/, .github/workflows/model-pr.yml, CODEOWNERS, README.md`,
  );
}

async function scaffold(pos: string[], o: Opts, io: Io) {
  const repo = repoOf(o);
  const name = pos[0];
  if (!name || !DNS_LABEL.test(name))
    throw badArgs("scaffold needs a model name: a DNS label of at most 40 characters");
  if (fs.existsSync(repo.dir(name))) throw refuse(`${MODELS_DIR}/${name}: exists already.`);
  const owner = need(o, "owner");
  const image = need(o, "image");
  const gpu = o.gpu as string | undefined;
  if (gpu && !GPU_KINDS.includes(gpu as never))
    throw badArgs(`--gpu must be one of ${GPU_KINDS.join(", ")}`);
  const gpus = o.gpus ? Number(o.gpus) : 1;
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > 8) throw badArgs("--gpus must be 1..8");
  // The schema fills in its defaults, so the owner sees every knob with its default value.
  const parsed = modelSchema.safeParse({
    name,
    owners: [owner],
    mlflowModel: (o["mlflow-model"] as string) ?? name,
    image: { repository: image },
    resources: {
      requests: { cpu: "500m", memory: "1Gi" },
      limits: { memory: "2Gi" },
    },
    ...(gpu ? { gpu: { kind: gpu, count: gpus } } : {}),
    smokeTest: { command: ["python", "-m", "server.smoke", `${GOLDEN_MOUNT}/${GOLDEN_KEY}`] },
  });
  if (!parsed.success)
    throw refuse(`${MODELS_DIR}/${name}/${MODEL_FILE}: ${parsed.error.issues[0].message}`);
  const model = parsed.data;
  fs.mkdirSync(repo.dir(name), { recursive: true });
  fs.writeFileSync(path.join(repo.dir(name), MODEL_FILE), modelYaml(model));
  for (const env of ENVS)
    fs.writeFileSync(
      path.join(repo.dir(name), valuesFileName(env)),
      `replicas: ${env === "prod" ? 4 : env === "staging" ? 2 : 1}\n`,
    );
  fs.appendFileSync(path.join(repo.root, "CODEOWNERS"), `/models/${name}/ ${owner}\n`);
  repo.model(name); // what was written must read back
  io.out(
    `scaffolded ${MODELS_DIR}/${name}: add ${GOLDEN_FILE} (labelled examples), then bump a version to dev.`,
  );
}

async function bump(pos: string[], o: Opts, io: Io) {
  const repo = repoOf(o);
  const name = modelOf(repo, pos[0]);
  const env = envOf(need(o, "env"), "env");
  if (env !== "dev")
    throw refuse(`bump writes dev releases only: use promote --from dev --to ${env}.`);
  const image = need(o, "image");
  const version = Number(need(o, "model-version"));
  if (!Number.isInteger(version) || version < 1)
    throw badArgs("--model-version must be a positive integer");
  const ref = DIGEST_REF.exec(image);
  if (!ref) throw badArgs("--image must be pinned by digest: <repository>@sha256:<64 hex>");
  const model = repo.model(name);
  if (ref.groups!.repo !== model.image.repository)
    throw refuse(
      `--image is ${ref.groups!.repo}, but ${MODELS_DIR}/${name}/${MODEL_FILE} image.repository is ${model.image.repository}: build from it or change model.yaml.`,
    );
  const url = (o["mlflow-url"] as string) ?? io.env.MLFLOW_TRACKING_URI;
  if (!url)
    throw badArgs(
      "--mlflow-url is required (kubectl -n mlflow port-forward svc/mlflow 5000, then http://localhost:5000)",
    );
  const user = io.env.MLFLOW_TRACKING_USERNAME;
  const pass = io.env.MLFLOW_TRACKING_PASSWORD;
  const found = await mlflowVersionStatus(
    url,
    model.mlflowModel,
    version,
    user && pass ? { username: user, password: pass } : undefined,
  );
  if ("missing" in found)
    throw refuse(
      `MLflow has no ${model.mlflowModel} version ${version} (${found.missing}): register it first.`,
    );
  if (found.status !== "READY")
    throw refuse(
      `${model.mlflowModel} version ${version} is ${found.status} in MLflow: wait until it is READY.`,
    );
  repo.golden(name); // the smoke test and golden comparison need it
  const release: Release = {
    image,
    mlflow: { model: model.mlflowModel, version },
    provenance: { time: io.now().toISOString() },
  };
  repo.writeRelease(name, "dev", release);
  repo.render(name, "dev");
  io.out(
    `${MODELS_DIR}/${name}/release-dev.yaml: ${model.mlflowModel} v${version}, ${image}; rendered dev. Open a pull request.`,
  );
}

async function promote(pos: string[], o: Opts, io: Io) {
  const repo = repoOf(o);
  const name = modelOf(repo, pos[0]);
  const from = envOf(need(o, "from"), "from");
  const to = envOf(need(o, "to"), "to");
  if (ENVS.indexOf(to) !== ENVS.indexOf(from) + 1)
    throw badArgs(`promotion goes one step: dev -> staging -> prod, not ${from} -> ${to}`);
  const source = repo.release(name, from);
  if (!source)
    throw refuse(`${MODELS_DIR}/${name}/release-${from}.yaml: missing: nothing to promote.`);
  const model = repo.model(name);
  const soak = model.soak[from as "dev" | "staging"];
  const commits = repo.history(repo.releasePath(name, from));
  if (commits.length === 0)
    throw refuse(`release-${from}.yaml is not committed: merge it and let ${from} run it first.`);
  // Argo CD reports on the revision it synced: the release commit or a later one.
  const since = repo.git(["rev-list", `${commits[0]}..HEAD`]);
  const candidates = [...(since ? since.split("\n") : []), commits[0]].slice(0, 20);
  const githubRepo = (o["github-repo"] as string) ?? io.env.GITHUB_REPOSITORY;
  if (!githubRepo) throw badArgs("--github-repo owner/name (or GITHUB_REPOSITORY) is required");
  const api = (o["github-api"] as string) ?? "https://api.github.com";
  const context = statusContext(from, name);
  const statuses = (
    await Promise.all(
      candidates.map((c) => commitStatuses(api, githubRepo, c, io.env.GITHUB_TOKEN)),
    )
  )
    .flat()
    .filter((s) => s.context === context)
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  if (statuses.length === 0 || statuses[0].state !== "success")
    throw refuse(
      `${context} is ${statuses[0]?.state ?? "not reported"} for release-${from}.yaml: ${from} has not run this release successfully yet.`,
    );
  let start = statuses[0];
  for (const s of statuses) {
    if (s.state !== "success") break;
    start = s;
  }
  const ran = io.now().getTime() - Date.parse(start.created_at);
  if (ran < durationMs(soak))
    throw refuse(
      `${context} has been success for ${Math.floor(ran / 60_000)} min, under the soak time of ${soak} (model.yaml soak.${from}): try again later.`,
    );
  const release: Release = {
    image: source.image,
    mlflow: source.mlflow,
    provenance: { from, commit: commits[0], time: io.now().toISOString() },
  };
  repo.writeRelease(name, to, release);
  repo.render(name, to);
  io.out(
    `${MODELS_DIR}/${name}/release-${to}.yaml: ${source.image} from ${from}; rendered ${to}. Open a pull request.`,
  );
}

async function renderCmd(o: Opts, io: Io) {
  const repo = repoOf(o);
  const problems: string[] = [];
  for (const name of repo.models())
    for (const env of ENVS) {
      try {
        if (o.check) problems.push(...repo.drift(name, env));
        else repo.render(name, env);
      } catch (e) {
        if (e instanceof FileProblems) problems.push(...e.problems);
        else throw e;
      }
    }
  if (problems.length) {
    problems.forEach(io.err);
    throw refuse(
      o.check
        ? "rendered/ drifted from its inputs: run models render and commit."
        : "fix the files above.",
    );
  }
  io.out(o.check ? "rendered/ matches its inputs" : `rendered ${repo.models().length} model(s)`);
}

/** The pack's Kubernetes and Argo rules with an environment's enforcement and config, as the CLI resolves them. */
function packFor(env: Environment) {
  const rules = [...kubernetesRules, ...argoRules];
  const meta = [...allRules, ...argoRules, ...costRules].map((r) => ({
    name: r.name,
    description: r.description,
    enforcementLevel: (r.enforcementLevel ?? "advisory") as EnforcementLevel,
    configSchema: (r.configSchema?.properties ?? {}) as Record<
      string,
      { type: string; default?: unknown }
    >,
  }));
  const resolved = resolvePolicyConfig(
    [...new Map(meta.map((m) => [m.name, m])).values()],
    readPolicyConfig(env, env),
  );
  return rules.map((rule) => ({ rule, ...resolved.get(rule.name)! }));
}

/** Every check model pull requests run; returns the problems (and advisory findings as warnings). */
export async function verifyRepo(
  repo: Repo,
  warn: (line: string) => void = () => {},
): Promise<string[]> {
  const problems: string[] = [];
  const packs = Object.fromEntries(ENVS.map((e) => [e, packFor(e)])) as Record<
    Environment,
    ReturnType<typeof packFor>
  >;
  const templates = analysisTemplates("http://prometheus", ENV_DEFAULTS.prod.canary);
  for (const name of repo.models()) {
    for (const env of ENVS) {
      let release: Release | undefined;
      let objects: RenderedObject[] = [];
      try {
        repo.model(name);
        repo.values(name, env);
        release = repo.release(name, env);
        // Rendered once: the drift check and every check below read the same objects.
        if (release) objects = repo.objects(name, env, release);
        problems.push(...repo.drift(name, env, release ? objects : undefined));
      } catch (e) {
        if (e instanceof FileProblems) {
          problems.push(...e.problems);
          continue;
        }
        throw e;
      }
      if (!release) continue;
      const pack = packs[env];
      // What will run, as committed, is the release's digest: the Rollout and the PreSync smoke test.
      for (const [file, text] of repo.actual(name, env)) {
        const obj = parseYaml(text) as { kind?: string; spec?: unknown };
        const spec = obj?.spec as {
          template?: { spec?: { containers?: { name: string; image: string }[] } };
        };
        for (const c of spec?.template?.spec?.containers ?? [])
          if (c.image !== release.image)
            problems.push(
              `${MODELS_DIR}/${name}/rendered/${env}/${file}: container ${c.name} runs ${c.image}, not release-${env}.yaml's ${release.image}.`,
            );
      }
      // Stack rules over the model's rendered set (a NetworkPolicy per namespace, PDBs in prod).
      const items = objects.map((o) => ({ type: typeToken(o), name: o.metadata.name, props: o }));
      for (const { rule, enforcementLevel, properties } of pack) {
        if (!("validateStack" in rule) || enforcementLevel === "disabled") continue;
        if (!items.some((i) => rule.types.includes(i.type))) continue;
        for (const m of runStackRule(rule, items, properties)) {
          const line = `${MODELS_DIR}/${name}/rendered/${env}: policy ${rule.name}: ${m}`;
          if (enforcementLevel === "advisory") warn(`${line} (advisory)`);
          else problems.push(line);
        }
      }
      for (const obj of objects) {
        const at = `${MODELS_DIR}/${name}/rendered/${env}: ${obj.kind} ${obj.metadata.name}`;
        for (const v of await schemaViolations(obj)) problems.push(`${at}: ${v}`);
        const type = typeToken(obj);
        for (const { rule, enforcementLevel, properties } of pack) {
          if (!("validateResource" in rule)) continue;
          if (!rule.types.includes(type) || enforcementLevel === "disabled") continue;
          for (const m of runResourceRule(rule, type, obj, properties))
            if (enforcementLevel === "advisory")
              warn(`${at}: policy ${rule.name} (advisory): ${m}`);
            else problems.push(`${at}: policy ${rule.name}: ${m}`);
        }
        // The PromQL the Rollout's analysis will run, with its args.
        const analysis = (
          obj.spec as {
            strategy?: { canary?: { analysis?: { templates?: { templateName: string }[] } } };
          }
        )?.strategy?.canary?.analysis;
        for (const t of analysis?.templates ?? []) {
          const tpl = templates[t.templateName];
          for (const m of tpl?.spec?.metrics ?? []) {
            const q = String(m.provider.prometheus?.query).replace(/\{\{args\.[\w-]+\}\}/g, "x");
            for (const e of promqlErrors(q))
              problems.push(`${at}: ${t.templateName}/${m.name}: PromQL does not parse ${e}`);
          }
        }
      }
    }
    // Promotion order: what runs one step up must have run one step down.
    for (const [lower, upper] of [
      ["dev", "staging"],
      ["staging", "prod"],
    ] as const) {
      try {
        const up = repo.release(name, upper);
        if (!up) continue;
        const file = repo.releasePath(name, lower);
        const seen = new Set<string>();
        const current = repo.release(name, lower);
        if (current) seen.add(current.image);
        for (const c of repo.history(file)) {
          const m = /^image:\s*(\S+)/m.exec(repo.showAt(c, file));
          if (m) seen.add(m[1]);
        }
        if (!seen.has(up.image))
          problems.push(
            `${MODELS_DIR}/${name}/release-${upper}.yaml: image ${up.image} never ran in ${lower}: promote it from ${lower} instead.`,
          );
      } catch (e) {
        if (!(e instanceof FileProblems)) throw e;
      }
    }
  }
  return [...new Set(problems)];
}

async function verify(o: Opts, io: Io) {
  const repo = repoOf(o);
  const problems = await verifyRepo(repo, io.err);
  if (problems.length) {
    problems.forEach(io.err);
    throw refuse(`${problems.length} problem(s)`);
  }
  io.out(`verified ${repo.models().length} model(s)`);
}

async function rollback(pos: string[], o: Opts, io: Io) {
  const repo = repoOf(o);
  const name = modelOf(repo, pos[0]);
  const env = envOf(need(o, "env"), "env");
  const file = repo.releasePath(name, env);
  const commits = repo.history(file);
  if (commits.length < 2)
    throw refuse(
      `${repo.rel(file)} has no earlier release in git history: nothing to roll back to.`,
    );
  const current = repo.release(name, env);
  const previous = repo.showAt(commits[1], file);
  fs.writeFileSync(file, previous.endsWith("\n") ? previous : `${previous}\n`);
  const restored = repo.release(name, env)!;
  repo.render(name, env);
  repo.git(["add", "--all", repo.rel(repo.dir(name))]);
  repo.git([
    "commit",
    "-q",
    "-m",
    `rollback ${name} in ${env}: ${restored.mlflow.model} v${restored.mlflow.version} (${restored.image}) replaces v${current?.mlflow.version} (${current?.image})`,
  ]);
  io.out(
    `${repo.rel(file)}: back to v${restored.mlflow.version} (${restored.image}), committed. Push it as a pull request.`,
  );
}

async function status(pos: string[], o: Opts, io: Io) {
  const repo = repoOf(o);
  const name = modelOf(repo, pos[0]);
  for (const env of ENVS) {
    const r = repo.release(name, env);
    io.out(
      r
        ? `${env.padEnd(8)} ${r.mlflow.model} v${r.mlflow.version}  ${r.image.replace(/@sha256:(.{12}).*/, "@sha256:$1…")}  ${r.provenance.from ? `from ${r.provenance.from} ` : ""}${r.provenance.time}`
        : `${env.padEnd(8)} -`,
    );
  }
}

export const COMMANDS = [
  "init",
  "scaffold",
  "bump",
  "promote",
  "render",
  "verify",
  "rollback",
  "status",
] as const;

/** The command line as main reads it; throws on unknown options or commands (README test uses it). */
export function parseCommandLine(argv: string[]): { command?: string; pos: string[]; o: Opts } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw badArgs((e as Error).message);
  }
  const [command, ...pos] = parsed.positionals;
  if (command && !COMMANDS.includes(command as never)) throw badArgs(`unknown command ${command}`);
  return { command, pos, o: parsed.values as Opts };
}

/**
 * An error with its causes: Node's fetch reports every network failure as "fetch failed" and
 * puts what happened (ECONNREFUSED, a reset socket, a TLS error) in `cause`.
 */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  for (let cur = e as { message?: string; code?: string; cause?: unknown } | undefined; cur;) {
    const text = cur.message || cur.code || String(cur);
    if (!parts.includes(text))
      parts.push(cur.code && !text.includes(cur.code) ? `${text} (${cur.code})` : text);
    cur = cur.cause as typeof cur;
    if (parts.length > 4) break;
  }
  return parts.join(": ");
}

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const { command, pos, o } = parseCommandLine(argv);
    if (o.help || !command) {
      io.out(HELP);
      return o.help ? 0 : 2;
    }
    switch (command) {
      case "init":
        await init(pos, o, io);
        break;
      case "scaffold":
        await scaffold(pos, o, io);
        break;
      case "bump":
        await bump(pos, o, io);
        break;
      case "promote":
        await promote(pos, o, io);
        break;
      case "render":
        await renderCmd(o, io);
        break;
      case "verify":
        await verify(o, io);
        break;
      case "rollback":
        await rollback(pos, o, io);
        break;
      case "status":
        await status(pos, o, io);
        break;
      default:
        throw badArgs(`unknown command ${command}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof Exit) {
      io.err(e.message);
      return e.code;
    }
    if (e instanceof FileProblems) {
      e.problems.forEach(io.err);
      return 1;
    }
    io.err(`models: ${describeError(e)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    env: process.env,
    now: () => new Date(),
  }).then((code) => (process.exitCode = code));
}

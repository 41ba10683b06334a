/** The GitOps repo on disk: model folders, release files, rendered output, git history. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { ENVIRONMENTS, type Environment } from "../../components/model";
import {
  GOLDEN_FILE,
  MODELS_DIR,
  MODEL_FILE,
  releaseFileName,
  renderedDir,
  valuesFileName,
} from "../../components/lib/gitopsLayout";
import { ENV_DEFAULTS } from "../../stacks/defaults";
import { render, renderedFileName, toYaml, type RenderedObject } from "./render";
import {
  FileProblems,
  modelSchema,
  readYaml,
  releaseSchema,
  valuesSchema,
  type ModelSpec,
  type Release,
} from "./schemas";

/** The pinned image with Python the PreSync registry check runs in (the platform's MLflow image). */
export const CHECKER_IMAGE = ENV_DEFAULTS.prod.mlflow.image;

export class Repo {
  constructor(public readonly root: string) {}

  rel(p: string): string {
    return path.relative(this.root, p) || ".";
  }
  dir(name: string): string {
    return path.join(this.root, MODELS_DIR, name);
  }
  models(): string[] {
    const d = path.join(this.root, MODELS_DIR);
    if (!fs.existsSync(d)) return [];
    return fs
      .readdirSync(d)
      .filter((n) => fs.existsSync(path.join(d, n, MODEL_FILE)))
      .sort();
  }
  model(name: string): ModelSpec {
    const file = path.join(this.dir(name), MODEL_FILE);
    const m = readYaml(file, modelSchema, this.rel(file));
    if (m.name !== name)
      throw new FileProblems([
        `${this.rel(file)}: name "${m.name}" differs from its folder "${name}": make them the same.`,
      ]);
    return m;
  }
  values(name: string, env: Environment) {
    const file = path.join(this.dir(name), valuesFileName(env));
    return readYaml(file, valuesSchema, this.rel(file));
  }
  releasePath(name: string, env: Environment): string {
    return path.join(this.dir(name), releaseFileName(env));
  }
  release(name: string, env: Environment): Release | undefined {
    const file = this.releasePath(name, env);
    return fs.existsSync(file) ? readYaml(file, releaseSchema, this.rel(file)) : undefined;
  }
  writeRelease(name: string, env: Environment, r: Release): void {
    fs.writeFileSync(
      this.releasePath(name, env),
      `# Machine-owned: written by \`npm run models -- bump|promote|rollback\`. Review it; do not edit it.\n${stringify(r)}`,
    );
  }
  golden(name: string): string {
    const file = path.join(this.dir(name), GOLDEN_FILE);
    if (!fs.existsSync(file))
      throw new FileProblems([
        `${this.rel(file)}: missing: add labelled examples, one JSON object per line: {"input": ..., "label": ...}.`,
      ]);
    return fs.readFileSync(file, "utf8");
  }

  /** What rendered/<env>/ must hold for a model: file name -> content (nothing without a release). */
  expected(name: string, env: Environment, objects?: RenderedObject[]): Map<string, string> {
    const out = new Map<string, string>();
    if (!objects) {
      const release = this.release(name, env);
      if (!release) return out;
      objects = this.objects(name, env, release);
    }
    for (const o of objects) out.set(renderedFileName(o), toYaml(o));
    return out;
  }
  objects(name: string, env: Environment, release: Release): RenderedObject[] {
    return render({
      env,
      model: this.model(name),
      values: this.values(name, env),
      release,
      golden: this.golden(name),
      checkerImage: CHECKER_IMAGE,
    });
  }
  /** Files now under rendered/<env>/: name -> content. */
  actual(name: string, env: Environment): Map<string, string> {
    const d = path.join(this.dir(name), renderedDir(env));
    const out = new Map<string, string>();
    if (!fs.existsSync(d)) return out;
    for (const f of fs.readdirSync(d).sort()) out.set(f, fs.readFileSync(path.join(d, f), "utf8"));
    return out;
  }
  /** Rewrites rendered/<env>/ of a model to exactly what its inputs give. */
  render(name: string, env: Environment): void {
    const d = path.join(this.dir(name), renderedDir(env));
    const want = this.expected(name, env);
    fs.rmSync(d, { recursive: true, force: true });
    if (want.size === 0) return;
    fs.mkdirSync(d, { recursive: true });
    for (const [f, text] of want) fs.writeFileSync(path.join(d, f), text);
  }
  /** Drift between inputs and rendered/ as "path: reason" lines; pass the objects when already rendered. */
  drift(name: string, env: Environment, objects?: RenderedObject[]): string[] {
    const want = this.expected(name, env, objects);
    const have = this.actual(name, env);
    const at = (f: string) => this.rel(path.join(this.dir(name), renderedDir(env), f));
    const out: string[] = [];
    for (const [f, text] of want)
      if (!have.has(f)) out.push(`${at(f)}: missing`);
      else if (have.get(f) !== text) out.push(`${at(f)}: differs from its inputs`);
    for (const f of have.keys()) if (!want.has(f)) out.push(`${at(f)}: stale (no input makes it)`);
    return out;
  }

  git(args: string[]): string {
    const res = spawnSync("git", args, { cwd: this.root, encoding: "utf8" });
    if (res.status !== 0) throw new Error(`git ${args.join(" ")}: ${res.stderr.trim()}`);
    return res.stdout.trim();
  }
  /** Commits that changed a file, newest first. */
  history(file: string): string[] {
    const out = this.git(["log", "--format=%H", "--", this.rel(file)]);
    return out ? out.split("\n") : [];
  }
  /** The file as it was at a commit. */
  showAt(commit: string, file: string): string {
    return this.git(["show", `${commit}:${this.rel(file)}`]);
  }
}

export const ENVS: readonly Environment[] = ENVIRONMENTS;

/**
 * The models CLI end to end on a temporary git repo: init -> scaffold -> bump (against a fake
 * MLflow REST server on 127.0.0.1) -> render -> verify -> promote (refused before the source
 * environment reports success for the soak time, allowed after; statuses from a fake GitHub
 * API on 127.0.0.1) -> rollback. Commands run in-process; one spawn checks the exit code.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { describeError, main, type Io } from "../../scripts/models/cli";
import { REGISTRY_CHECK_SCRIPT } from "../../scripts/models/render";
import { SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from "../helpers/timeouts";
import { haveTool } from "../helpers/tools";
import { schemaViolations } from "../../scripts/lib/strictSchema";
import { statusContext, type CommitStatus } from "../../scripts/models/remote";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateWorkflow } = require("@action-validator/core") as {
  validateWorkflow: (src: string) => { errors: unknown[] };
};

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "models-cli-"));
const REPO = path.join(tmp, "ml-deployments");
const IMAGE = "ghcr.io/acme/fraud-server";
const digest = (c: string) => `${IMAGE}@sha256:${c.repeat(64)}`;
const GIT_ENV = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};
Object.assign(process.env, GIT_ENV);

/** MLflow registry: version -> status. */
const versions: Record<string, string> = {
  "3": "READY",
  "4": "PENDING_REGISTRATION",
  "5": "READY",
};
/** GitHub: commit sha -> statuses. */
const statuses = new Map<string, CommitStatus[]>();
let server: http.Server;
let base = "";
const now = new Date("2026-11-22T12:00:00Z");

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    res.setHeader("Content-Type", "application/json");
    // No keep-alive: a socket reused just as this server times it out fails the next fetch
    // ("fetch failed", seen twice in full runs on a loaded machine); the CLI's calls are one-shot.
    res.setHeader("Connection", "close");
    if (url.pathname === "/mlflow/api/2.0/mlflow/model-versions/get") {
      const status =
        url.searchParams.get("name") === "fraud" && versions[url.searchParams.get("version")!];
      if (!status) {
        res
          .writeHead(404)
          .end(JSON.stringify({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "not found" }));
        return;
      }
      res.end(
        JSON.stringify({
          model_version: { name: "fraud", version: url.searchParams.get("version"), status },
        }),
      );
      return;
    }
    const m = /^\/github\/repos\/acme\/ml-deployments\/commits\/([0-9a-f]+)\/statuses$/.exec(
      url.pathname,
    );
    if (m) {
      res.end(JSON.stringify(statuses.get(m[1]) ?? []));
      return;
    }
    res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { ...GIT_ENV },
    now: () => now,
  };
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}
const git = (...args: string[]) =>
  spawnSync("git", args, {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, ...GIT_ENV },
  }).stdout.trim();
const commit = (msg: string) => {
  git("add", "-A");
  git("commit", "-q", "-m", msg);
  return git("rev-parse", "HEAD");
};
const release = (env: string) =>
  parseYaml(fs.readFileSync(path.join(REPO, "models/fraud", `release-${env}.yaml`), "utf8"));
const mlflow = () => `${base}/mlflow`;
const gh = () => ["--github-repo", "acme/ml-deployments", "--github-api", `${base}/github`];

describe("models CLI, from a registered version to prod", () => {
  it("init writes a repo whose model-pr workflow passes GitHub's workflow schema, actions pinned by SHA", async () => {
    const r = await run("init", REPO, "--ml-leads", "@acme/ml-leads");
    expect(r.code, r.err).toBe(0);
    const wf = fs.readFileSync(path.join(REPO, ".github/workflows/model-pr.yml"), "utf8");
    expect(validateWorkflow(wf).errors).toEqual([]);
    for (const u of wf.match(/uses: \S+/g)!) expect(u).toMatch(/@[0-9a-f]{40}$/);
    expect(fs.readFileSync(path.join(REPO, "CODEOWNERS"), "utf8")).toContain(
      "/models/*/release-prod.yaml @acme/ml-leads",
    );
    expect((await run("init", REPO, "--ml-leads", "@acme/ml-leads")).code).toBe(1);
  });

  it("scaffold writes model.yaml and values, no release: nothing deploys yet", async () => {
    const r = await run(
      "scaffold",
      "fraud",
      "--repo",
      REPO,
      "--image",
      IMAGE,
      "--owner",
      "@acme/fraud",
      "--gpu",
      "l4",
    );
    expect(r.code, r.err).toBe(0);
    const model = parseYaml(fs.readFileSync(path.join(REPO, "models/fraud/model.yaml"), "utf8"));
    expect(model).toMatchObject({
      name: "fraud",
      gpu: { kind: "l4", count: 1 },
      image: { repository: IMAGE },
    });
    expect(fs.existsSync(path.join(REPO, "models/fraud/release-dev.yaml"))).toBe(false);
    const golden = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ input: { x: i }, label: i < 5 ? 1 : 0 }),
    );
    fs.writeFileSync(path.join(REPO, "models/fraud/golden.jsonl"), golden.join("\n") + "\n");
    expect((await run("verify", "--repo", REPO)).code).toBe(0);
    commit("scaffold fraud");
  });

  it("a bad model file is refused by file and key, with the fix", async () => {
    const f = path.join(REPO, "models/fraud/values-dev.yaml");
    fs.writeFileSync(f, "replicaz: 1\n");
    const r = await run("verify", "--repo", REPO);
    expect(r.err).toContain(
      "models/fraud/values-dev.yaml: replicaz is not a known key: remove it (a typo?)",
    );
    expect(r.err).toContain("models/fraud/values-dev.yaml: replicas is required");
    fs.writeFileSync(f, "replicas: 1\n");
  });

  it("bump refuses versions MLflow does not have or has not made READY, and foreign images", async () => {
    const bump = (v: string, image = digest("a")) =>
      run(
        "bump",
        "fraud",
        "--env",
        "dev",
        "--image",
        image,
        "--model-version",
        v,
        "--repo",
        REPO,
        "--mlflow-url",
        mlflow(),
      );
    let r = await bump("9");
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(/MLflow has no fraud version 9.*register it first/),
    ]);
    r = await bump("4");
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(/PENDING_REGISTRATION.*wait until it is READY/),
    ]);
    r = await bump("3", `ghcr.io/evil/server@sha256:${"a".repeat(64)}`);
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(/image.repository is ghcr.io\/acme\/fraud-server/),
    ]);
    r = await bump("3", `${IMAGE}:latest`);
    expect(r.code).toBe(2);
    r = await run(
      "bump",
      "fraud",
      "--env",
      "prod",
      "--image",
      digest("a"),
      "--model-version",
      "3",
      "--repo",
      REPO,
    );
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/use promote/)]);
  });

  it("bump writes release-dev.yaml and renders dev; verify passes; the rendered objects validate strictly", async () => {
    const r = await run(
      "bump",
      "fraud",
      "--env",
      "dev",
      "--image",
      digest("a"),
      "--model-version",
      "3",
      "--repo",
      REPO,
      "--mlflow-url",
      mlflow(),
    );
    expect(r.code, r.err).toBe(0);
    expect(release("dev")).toMatchObject({
      image: digest("a"),
      mlflow: { model: "fraud", version: 3 },
    });
    const dir = path.join(REPO, "models/fraud/rendered/dev");
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual([
      "configmap-fraud-golden.yaml",
      "job-fraud-presync.yaml",
      "networkpolicy-fraud.yaml",
      "rollout-fraud.yaml",
      "service-fraud-canary.yaml",
      "service-fraud-stable.yaml",
      "service-fraud.yaml",
      "servicemonitor-fraud.yaml",
    ]);
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      // Plain YAML reviewers can diff: no anchors or aliases for repeated blocks.
      expect(text, f).not.toMatch(/(^|\s)[&*]a\d+\b/m);
      expect(await schemaViolations(parseYaml(text)), f).toEqual([]);
    }
    // The model asked for one L4: the pods land on an L4 pool, tolerate its taint, request the GPU.
    const pod = parseYaml(fs.readFileSync(path.join(dir, "rollout-fraud.yaml"), "utf8")).spec
      .template.spec;
    expect(pod.nodeSelector).toEqual({ "mlops.dev/gpu": "l4" });
    expect(pod.tolerations).toEqual([
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
    ]);
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
    // Ingress to the model's pods only from its namespace, monitoring and model.yaml's clients.
    const np = parseYaml(fs.readFileSync(path.join(dir, "networkpolicy-fraud.yaml"), "utf8")).spec;
    expect(np.podSelector).toEqual({ matchLabels: { "app.kubernetes.io/name": "fraud" } });
    expect(
      np.ingress[0].from.map(
        (f: any) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
      ),
    ).toEqual(["models", "monitoring"]);
    const v = await run("verify", "--repo", REPO);
    expect(v.code, v.err).toBe(0);
    commit("fraud v3 to dev");
  });

  it("a planted typo in a rendered object fails the strict schema check", async () => {
    const o = parseYaml(
      fs.readFileSync(path.join(REPO, "models/fraud/rendered/dev/rollout-fraud.yaml"), "utf8"),
    );
    o.spec.strategy.canary.setWieght = 10;
    expect(await schemaViolations(o)).toEqual(["unknown field spec.strategy.canary.setWieght"]);
  });

  it("render --check and verify catch a hand-edited rendered file", async () => {
    const f = path.join(REPO, "models/fraud/rendered/dev/service-fraud.yaml");
    const good = fs.readFileSync(f, "utf8");
    fs.writeFileSync(f, good.replace("port: 8080", "port: 9090"));
    const rollout = path.join(REPO, "models/fraud/rendered/dev/rollout-fraud.yaml");
    const goodRollout = fs.readFileSync(rollout, "utf8");
    fs.writeFileSync(rollout, goodRollout.replace(digest("a"), digest("e")));
    const v = await run("verify", "--repo", REPO);
    expect(v.err).toMatch(
      /rollout-fraud.yaml: container server runs .*e{64}, not release-dev.yaml's .*a{64}/,
    );
    fs.writeFileSync(rollout, goodRollout);
    const r = await run("render", "--repo", REPO, "--check");
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringContaining(
        "models/fraud/rendered/dev/service-fraud.yaml: differs from its inputs",
      ),
    ]);
    expect((await run("verify", "--repo", REPO)).code).toBe(1);
    expect((await run("render", "--repo", REPO)).code).toBe(0);
    expect(fs.readFileSync(f, "utf8")).toBe(good);
  });

  it("promote dev -> staging is refused until dev reports success for the soak time (1h), then writes the same digest", async () => {
    const releaseCommit = git("log", "-1", "--format=%H", "--", "models/fraud/release-dev.yaml");
    const promote = () =>
      run("promote", "fraud", "--from", "dev", "--to", "staging", "--repo", REPO, ...gh());
    let r = await promote();
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(/mlops\/dev\/fraud is not reported/),
    ]);
    const at = (minutesAgo: number, state: CommitStatus["state"]) => ({
      state,
      context: statusContext("dev", "fraud"),
      created_at: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    });
    statuses.set(releaseCommit, [at(10, "success"), at(15, "pending")]);
    r = await promote();
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(
        /success for 10 min, under the soak time of 1h \(model.yaml soak.dev\)/,
      ),
    ]);
    statuses.set(releaseCommit, [at(5, "failure"), at(90, "success")]);
    r = await promote();
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/is failure/)]);
    statuses.set(releaseCommit, [at(90, "success")]);
    r = await promote();
    expect(r.code, r.err).toBe(0);
    expect(release("staging")).toMatchObject({
      image: digest("a"),
      mlflow: { version: 3 },
      provenance: { from: "dev", commit: releaseCommit },
    });
    expect(fs.existsSync(path.join(REPO, "models/fraud/rendered/staging/rollout-fraud.yaml"))).toBe(
      true,
    );
    expect((await run("verify", "--repo", REPO)).code).toBe(0);
    commit("promote fraud v3 to staging");
  });

  it("promotion goes one step at a time, and verify refuses a prod digest staging never ran", async () => {
    expect(
      (await run("promote", "fraud", "--from", "dev", "--to", "prod", "--repo", REPO, ...gh()))
        .code,
    ).toBe(2);
    const prod = path.join(REPO, "models/fraud/release-prod.yaml");
    fs.writeFileSync(
      prod,
      fs
        .readFileSync(path.join(REPO, "models/fraud/release-staging.yaml"), "utf8")
        .replace(/a{64}/, "b".repeat(64)),
    );
    await run("render", "--repo", REPO);
    const r = await run("verify", "--repo", REPO);
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(
        /release-prod.yaml: image .*b{64} never ran in staging: promote it from staging/,
      ),
    ]);
    fs.rmSync(prod);
    await run("render", "--repo", REPO);
  });

  it("rollback restores the previous release from git history as a new commit", async () => {
    const r1 = await run(
      "bump",
      "fraud",
      "--env",
      "dev",
      "--image",
      digest("c"),
      "--model-version",
      "5",
      "--repo",
      REPO,
      "--mlflow-url",
      mlflow(),
    );
    expect(r1.code, r1.err).toBe(0);
    commit("fraud v5 to dev");
    const r = await run("rollback", "fraud", "--env", "dev", "--repo", REPO);
    expect(r.code, r.err).toBe(0);
    expect(release("dev")).toMatchObject({ image: digest("a"), mlflow: { version: 3 } });
    expect(git("log", "-1", "--format=%s")).toMatch(
      /^rollback fraud in dev: fraud v3 .* replaces v5/,
    );
    expect(git("status", "--porcelain")).toBe("");
    expect((await run("render", "--repo", REPO, "--check")).code).toBe(0);
    expect((await run("rollback", "fraud", "--env", "prod", "--repo", REPO)).code).toBe(1);
  });

  it("status lists the release per environment", async () => {
    const r = await run("status", "fraud", "--repo", REPO);
    expect(r.out.split("\n")).toEqual([
      expect.stringMatching(/^dev +fraud v3 +ghcr.io\/acme\/fraud-server@sha256:aaaaaaaaaaaa…/),
      expect.stringMatching(/^staging +fraud v3 .* from dev /),
      "prod     -",
    ]);
  });

  it("verify runs the pack's stack rules on a model's rendered set: prod needs replicas and a PDB", async () => {
    const prod = path.join(REPO, "models/fraud/release-prod.yaml");
    fs.copyFileSync(path.join(REPO, "models/fraud/release-staging.yaml"), prod);
    await run("render", "--repo", REPO);
    // 4 replicas spread over nodes, a PDB, a NetworkPolicy; dev's canary without analysis is
    // advisory only
    const ok = await run("verify", "--repo", REPO);
    expect(ok.code).toBe(0);
    expect(ok.err).not.toMatch(/problem\(s\)|policy (?!argo-rollout-canary-analysis \(advisory\))/);
    const values = path.join(REPO, "models/fraud/values-prod.yaml");
    fs.writeFileSync(values, "replicas: 1\n");
    await run("render", "--repo", REPO);
    const r = await run("verify", "--repo", REPO);
    expect([r.code, r.err]).toEqual([
      1,
      expect.stringMatching(
        /rendered\/prod: policy k8s-server-replicas-pdb: fraud: 1 replica\(s\) < 2/,
      ),
    ]);
    fs.writeFileSync(values, "replicas: 4\n");
    fs.rmSync(prod);
    await run("render", "--repo", REPO);
  });

  it(
    "bad arguments exit 2 through npm as users run it; --help exits 0",
    async () => {
      const npm = (...a: string[]) =>
        spawnSync("npm", ["run", "-s", "models", "--", ...a], {
          cwd: ROOT,
          encoding: "utf8",
          timeout: SPAWN_TIMEOUT_MS,
        });
      const bad = npm("status", "fraud", "--repo", path.join(tmp, "nowhere"));
      expect([bad.status, bad.stderr]).toEqual([
        2,
        expect.stringMatching(/has no models\/ folder: run models init first/),
      ]);
      // npm passes main()'s code through (shown above); --help's code is main()'s own.
      const help = await run("--help");
      expect([help.code, help.out]).toEqual([0, expect.stringMatching(/npm run models -- /)]);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );
  it.skipIf(!haveTool("python3", "python3"))(
    "the PreSync registry check (python3) passes a READY version and stops the sync otherwise",
    async () => {
      // Asynchronous: the fake MLflow answers from this process.
      const check = (v: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const p = spawn("python3", ["-c", REGISTRY_CHECK_SCRIPT, mlflow(), "fraud", v], {
            timeout: 30_000,
          });
          let stdout = "";
          let stderr = "";
          p.stdout.on("data", (d) => (stdout += d));
          p.stderr.on("data", (d) => (stderr += d));
          p.on("close", (status) => resolve({ status, stdout, stderr }));
        });
      expect(await check("3")).toMatchObject({ status: 0, stdout: "fraud version 3 is READY\n" });
      expect(await check("4")).toMatchObject({
        status: 1,
        stderr: expect.stringMatching(/PENDING_REGISTRATION in MLflow, not READY/),
      });
      expect(await check("9")).toMatchObject({
        status: 1,
        stderr: expect.stringMatching(/not found in the MLflow registry/),
      });
    },
  );
});

describe("models CLI errors", () => {
  it("a network failure names its cause, not only fetch's 'fetch failed'", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as { port: number };
    await new Promise((r) => closed.close(r));
    const e = await fetch(`http://127.0.0.1:${port}/`).catch((x: unknown) => x);
    expect((e as Error).message).toBe("fetch failed");
    expect(describeError(e)).toBe(`fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(describeError(new Error("plain"))).toBe("plain");
  });
});

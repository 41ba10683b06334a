/** The CI/CD workflows users copy: schema-valid, pinned, least-privilege, gated, and free of secret values. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { codebuildRunnerLabel } from "../components/aws/ciRunner";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateWorkflow } = require("@action-validator/core") as {
  validateWorkflow: (src: string) => { errors: unknown[] };
};

const DIR = path.resolve(__dirname, "..", ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const src = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const wf = (f: string) => parseYaml(src(f)) as any;
const steps = (f: string) => Object.values(wf(f).jobs).flatMap((j: any) => j.steps ?? []);

describe("workflows", () => {
  it("ship check, preview, deploy (+ its reusable stack job) and drift", () => {
    expect(files.sort()).toEqual([
      "check.yml",
      "deploy-stack.yml",
      "deploy.yml",
      "drift.yml",
      "preview.yml",
    ]);
  });

  it.each(files)("%s is valid against the GitHub Actions workflow schema", (f) => {
    expect(validateWorkflow(src(f)).errors).toEqual([]);
  });

  it("the validator rejects a broken workflow, so the check above can fail", () => {
    expect(
      validateWorkflow("on: push\njobs:\n  a:\n    stepz: []\n").errors.length,
    ).toBeGreaterThan(0);
  });

  it.each(files)("%s pins every third-party action by commit SHA", (f) => {
    for (const s of steps(f).filter((x: any) => x.uses && !x.uses.startsWith("./"))) {
      expect(s.uses, f).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
  });

  it("preview: one job per stack, the pack with the matching config, PR comment + diff, minimal permissions", () => {
    const w = wf("preview.yml");
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    expect(w.permissions).toEqual({
      contents: "read",
      "pull-requests": "write",
      "id-token": "write",
    });
    const job = w.jobs.preview;
    expect(job.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
    expect(job.concurrency.group).toBe("pulumi-${{ matrix.stack }}");
    const pulumi = job.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@") && s.with);
    expect(pulumi.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      policyPacks: "policies",
      policyPackConfigs: "policies/config/${{ matrix.stack }}.json",
      "comment-on-pr": true,
      diff: true,
    });
    const install = job.steps.findIndex((s: any) => s.run === "npm ci");
    expect(install).toBeGreaterThanOrEqual(0);
    expect(install).toBeLessThan(job.steps.indexOf(pulumi));
  });

  it("deploy: dev -> staging -> prod, each in its GitHub environment, same pack and config as preview", () => {
    const w = wf("deploy.yml");
    expect(w.on.push.branches).toEqual(["main"]);
    expect(w.jobs.staging.needs).toBe("dev");
    expect(w.jobs.prod.needs).toBe("staging");
    for (const stack of ["dev", "staging", "prod"]) {
      expect(w.jobs[stack].uses).toBe("./.github/workflows/deploy-stack.yml");
      expect(w.jobs[stack].with.stack).toBe(stack);
    }
    const up = wf("deploy-stack.yml").jobs.up;
    expect(up.environment).toBe("${{ inputs.stack }}");
    const pulumi = up.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi.with).toMatchObject({
      command: "up",
      policyPacks: "policies",
      policyPackConfigs: "policies/config/${{ inputs.stack }}.json",
    });
    expect(src("deploy-stack.yml")).toContain("GITHUB_STEP_SUMMARY");
    expect(src("deploy-stack.yml")).not.toMatch(/--show-secrets/);
  });

  it("drift: refresh + expect-no-changes per stack, fails and files an issue on drift", () => {
    const w = wf("drift.yml");
    expect(w.on.schedule[0].cron).toBeTruthy();
    expect(w.permissions).toEqual({ contents: "read", "id-token": "write", issues: "write" });
    const pulumi = w.jobs.drift.steps.find(
      (s: any) => s.uses?.startsWith("pulumi/actions@") && s.with,
    );
    expect(pulumi.with).toMatchObject({
      command: "preview",
      refresh: true,
      "expect-no-changes": true,
    });
    const report = w.jobs.drift.steps.find((s: any) => s.name?.startsWith("Open or update"));
    expect(report.if).toBe("steps.preview.outcome == 'failure'");
    expect(report.run).toMatch(/gh issue create/);
    expect(report.run).toMatch(/exit 1/);
  });

  it("check: tests, then the offline check of every stack on both clouds with SARIF uploaded", () => {
    const w = wf("check.yml");
    expect(w.permissions).toEqual({ contents: "read" });
    expect(w.jobs.test.steps.map((s: any) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      "npm test",
    ]);
    const job = w.jobs["policy-check"];
    expect(job.permissions).toEqual({ contents: "read", "security-events": "write" });
    expect(job.strategy.matrix).toEqual({
      stack: ["dev", "staging", "prod"],
      cloud: ["gcp", "aws"],
    });
    expect(
      job.steps.some((s: any) =>
        s.run?.includes(
          "npm run check -- --stack ${{ matrix.stack }} --cloud ${{ matrix.cloud }} --format sarif",
        ),
      ),
    ).toBe(true);
    const upload = job.steps.find((s: any) =>
      s.uses?.startsWith("github/codeql-action/upload-sarif@"),
    );
    // One code-scanning category per stack and cloud, or uploads overwrite each other.
    expect(upload.with.category).toBe("policy-${{ matrix.stack }}-${{ matrix.cloud }}");
    expect(
      job.steps.some((s: any) => s.uses?.startsWith("github/codeql-action/upload-sarif@")),
    ).toBe(true);
  });

  describe("CI reaches the cluster's API or says why", () => {
    const stackJobs: [string, string][] = [
      ["preview.yml", "preview"],
      ["drift.yml", "drift"],
      ["deploy-stack.yml", "up"],
    ];
    const idx = (list: any[], pred: (s: any) => boolean) => {
      const i = list.findIndex(pred);
      expect(i, String(pred)).toBeGreaterThanOrEqual(0);
      return i;
    };
    // runs-on evaluated by GitHub's own expression engine (@actions/expressions), per stack and vars.
    const runsOn = (f: string, job: string, stack: string, vars: Record<string, string>) => {
      const text = String(wf(f).jobs[job]["runs-on"]);
      const m = /^\$\{\{(.*)\}\}$/s.exec(text.trim());
      expect(m, text).not.toBeNull();
      const lexed = new Lexer(m![1]).lex();
      const expr = new Parser(lexed.tokens, ["vars", "github", "matrix", "inputs"], []).parse();
      const dict = (o: Record<string, string>) =>
        new data.Dictionary(
          ...Object.entries(o).map(([key, v]) => ({ key, value: new data.StringData(v) })),
        );
      const ctx = new data.Dictionary(
        { key: "vars", value: dict(vars) },
        { key: "github", value: dict({ run_id: "4242", run_attempt: "2" }) },
        { key: "matrix", value: dict({ stack }) },
        { key: "inputs", value: dict({ stack }) },
      );
      return new Evaluator(expr, ctx).evaluate().coerceString();
    };
    const RUNNERS = JSON.stringify({ dev: "mlops-dev-ci-runner", prod: "mlops-prod-ci-runner" });
    it.each(stackJobs)(
      "%s: the stack's CodeBuild runner when mapped, else vars.PULUMI_RUNNER, else ubuntu-latest",
      (f, job) => {
        expect(runsOn(f, job, "dev", {})).toBe("ubuntu-latest");
        expect(runsOn(f, job, "dev", { PULUMI_RUNNER: "vpn-runner" })).toBe("vpn-runner");
        const mapped = { PULUMI_CODEBUILD_RUNNERS: RUNNERS, PULUMI_RUNNER: "vpn-runner" };
        expect(runsOn(f, job, "prod", mapped)).toBe(
          codebuildRunnerLabel("mlops-prod-ci-runner", "4242", "2"),
        );
        expect(runsOn(f, job, "staging", mapped)).toBe("vpn-runner");
        expect(runsOn(f, job, "staging", { PULUMI_CODEBUILD_RUNNERS: RUNNERS })).toBe(
          "ubuntu-latest",
        );
      },
    );
    it.each(stackJobs)(
      "%s: on GCP, gcloud with gke-gcloud-auth-plugin after the login and before Pulumi",
      (f, job) => {
        const list = wf(f).jobs[job].steps;
        const auth = idx(list, (s) => s.uses?.startsWith("google-github-actions/auth@"));
        const gcloud = idx(list, (s) => s.uses?.startsWith("google-github-actions/setup-gcloud@"));
        const firstPulumi = idx(list, (s) => s.uses?.startsWith("pulumi/actions@"));
        expect(list[gcloud].if).toBe("vars.CLOUD != 'aws'");
        expect(list[gcloud].with.install_components.split(",")).toContain("gke-gcloud-auth-plugin");
        expect(auth).toBeLessThan(gcloud);
        expect(gcloud).toBeLessThan(firstPulumi);
      },
    );
    it.each([
      ["preview.yml", "preview"],
      ["drift.yml", "drift"],
    ])(
      "%s: fails on an unreachable cluster before previewing (no green PR, no false drift issue)",
      (f, job) => {
        const list = wf(f).jobs[job].steps;
        const gate = idx(list, (s) => s.run?.startsWith("scripts/ci/cluster-reachable.sh"));
        expect(list[gate].env.STACK).toBe("${{ matrix.stack }}");
        expect(list[gate]["continue-on-error"]).toBeUndefined();
        const cli = idx(list, (s) => s.uses?.startsWith("pulumi/actions@") && !s.with);
        const logins = list
          .map((s: any, i: number) =>
            /auth@|configure-aws-credentials@|setup-gcloud@/.test(s.uses ?? "") ? i : -1,
          )
          .filter((i: number) => i >= 0);
        const preview = idx(list, (s) => s.with?.command === "preview");
        expect(Math.max(cli, ...logins)).toBeLessThan(gate);
        expect(gate).toBeLessThan(preview);
        // The drift issue is filed on the preview's failure only, so an unreachable cluster fails the job without one.
        if (f === "drift.yml")
          expect(list.find((s: any) => s.name?.startsWith("Open or update")).if).toBe(
            "steps.preview.outcome == 'failure'",
          );
      },
    );
    it("the gate script is executable", () => {
      const mode = fs.statSync(
        path.resolve(DIR, "..", "..", "scripts", "ci", "cluster-reachable.sh"),
      ).mode;
      expect(mode & 0o111).toBe(0o111);
    });
  });

  it.each(files)(
    "%s uses OIDC and secret references only: no static keys or secret values",
    (f) => {
      const text = src(f);
      expect(text).not.toMatch(
        /AKIA[0-9A-Z]{16}|-----BEGIN|ghp_[A-Za-z0-9]{20,}|"type":\s*"service_account"/,
      );
      expect(text).not.toMatch(/credentials_json|aws-secret-access-key|aws-access-key-id/);
      for (const m of text.matchAll(/(PASSPHRASE|TOKEN|PASSWORD|SECRET)[A-Z_]*:\s*(.+)/g)) {
        expect(m[2].trim(), `${f}: ${m[0]}`).toMatch(/^\$\{\{ (secrets|github)\.[\w.]+ \}\}$/);
      }
    },
  );
});

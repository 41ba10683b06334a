/**
 * The pack measured against checkov, trivy-checks and kube-linter: the ids the rules cite
 * exist upstream, the scope is the program's, the out-of-scope list has no dead or
 * contradicting entry, COVERAGE.md is current, and the extractor reads each tool's real
 * file formats (a throwaway git repository holding one file of each kind, in the shapes
 * the tools' repositories use).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  NOT_ADOPTED,
  OUT_OF_SCOPE,
  TERRAFORM_TYPES,
  TOOL_REPOSITORIES,
  outOfScope,
  type ExternalCheck,
} from "../../policies/external/scope";
import { allRules } from "../../policies/rules";
import {
  checkov,
  compliancePolicies,
  kubeLinter,
  kubescape,
  main,
  polaris,
  readUpstream,
  trivy,
} from "../../scripts/external-checks";
import { COVERAGE, coverageDoc } from "../../scripts/policy-table";

const ROOT = path.resolve(__dirname, "..", "..");
const upstream = readUpstream();
const byId = new Map(upstream.checks.map((c) => [c.id, c]));

describe("external check ids the rules cite", () => {
  it("every cited id is an in-scope check recorded from its tool's repository", () => {
    const unknown = allRules.flatMap((r) =>
      r.covers.filter((id) => !byId.has(id)).map((id) => `${r.name}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  it("a rule cites each id once, and never an id it would call out of scope", () => {
    for (const r of allRules) {
      expect(new Set(r.covers).size, r.name).toBe(r.covers.length);
      const contradicting = r.covers.filter((id) => outOfScope(byId.get(id)!));
      expect(contradicting, r.name).toEqual([]);
    }
  });

  it("rules for the main areas cite their counterparts (a planted typo fails the first test)", () => {
    const covers = (name: string) => allRules.find((r) => r.name === name)!.covers;
    expect(covers("gcp-gke-private-nodes")).toContain("CKV_GCP_64");
    expect(covers("aws-ec2-imdsv2-required")).toContain("CKV_AWS_341");
    expect(covers("k8s-pod-no-privileged")).toContain("kube-linter:privileged-container");
    expect(byId.has("CKV_GCP_9999")).toBe(false);
  });
});

describe("the scope", () => {
  it("maps every cloud resource type the program creates to its Terraform type", () => {
    const snapshot = fs.readFileSync(path.join(ROOT, "test/snapshots/urns.json"), "utf8");
    const created = new Set(
      [...snapshot.matchAll(/[:$]((?:aws|gcp):[\w/.]+:\w+)::/g)].map((m) => m[1]),
    );
    expect(created.size).toBeGreaterThan(40);
    expect([...created].filter((t) => !TERRAFORM_TYPES[t])).toEqual([]);
  });

  it("each out-of-scope entry matches some upstream check, and its reason is written out", () => {
    for (const o of OUT_OF_SCOPE) {
      const hits = upstream.checks.filter((c) => c.tool === o.tool && o.path?.test(c.path));
      if (o.path) expect(hits.length, String(o.path)).toBeGreaterThan(0);
      const byTargets = upstream.checks.filter(
        (c) =>
          c.tool === o.tool &&
          c.targets.length > 0 &&
          c.targets.every((t) => o.targets?.test(t)) &&
          outOfScope(c) === o.reason,
      );
      if (o.targets) expect(byTargets.length, String(o.targets)).toBeGreaterThan(0);
      for (const id of o.ids ?? []) expect(byId.get(id)?.tool, id).toBe(o.tool);
      expect(!!o.path || !!o.ids?.length || !!o.targets).toBe(true);
      expect(o.reason.length).toBeGreaterThan(20);
    }
  });

  it("a check not adopted is in scope, cited by no rule, listed once, and says why", () => {
    const cited = new Set(allRules.flatMap((r) => r.covers));
    const ids = NOT_ADOPTED.flatMap((n) => n.ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(byId.has(id), id).toBe(true);
      expect(outOfScope(byId.get(id)!), id).toBeUndefined();
      expect(cited.has(id), id).toBe(false);
    }
    for (const n of NOT_ADOPTED) expect(n.reason.length).toBeGreaterThan(40);
  });

  it("workload checks stay in scope (the control-plane patterns do not swallow them)", () => {
    for (const id of [
      "CKV_K8S_16",
      "AVD-KSV-0017",
      "kube-linter:privileged-container",
      "kubescape:C-0057",
      // a Pod check whose cloud twin reads ClusterDescribe: not all of its targets are host data
      "kubescape:C-0066",
    ])
      expect(outOfScope(byId.get(id)!), id).toBeUndefined();
    expect(outOfScope(byId.get("kubescape:C-0113")!)).toMatch(/API server/);
    expect(outOfScope(byId.get("kubescape:C-0175")!)).toMatch(/host sensor/);
    expect(outOfScope(byId.get("CKV_GCP_24")!)).toMatch(/PodSecurityPolicy/);
  });

  it("policies/external/COVERAGE.md is current (run `npm run docs:policies` when this fails)", () => {
    expect(fs.readFileSync(COVERAGE, "utf8")).toBe(coverageDoc());
    expect(coverageDoc()).toMatch(/\| `CKV_GCP_64` \| .* \| `gcp-gke-private-nodes` \|/);
  });
});

describe("npm run external-checks reads the tools' own formats", () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "mlops-external-"));
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));
  const files: Record<string, string> = {
    // checkov: an abstract check that names the resources, a subclass that only passes its id.
    "checkov/terraform/checks/resource/aws/AbsSecurityGroupUnrestrictedIngress.py": [
      "class AbsSecurityGroupUnrestrictedIngress(BaseResourceCheck):",
      "    def __init__(self, check_id: str, port: int) -> None:",
      '        name = f"Ensure no security groups allow ingress from 0.0.0.0:0 to port {port}"',
      "        supported_resources = ['aws_security_group', 'aws_security_group_rule']",
    ].join("\n"),
    "checkov/terraform/checks/resource/aws/SecurityGroupUnrestrictedIngress22.py": [
      "from checkov.terraform.checks.resource.aws.AbsSecurityGroupUnrestrictedIngress import AbsSecurityGroupUnrestrictedIngress",
      "class SecurityGroupUnrestrictedIngress22(AbsSecurityGroupUnrestrictedIngress):",
      "    def __init__(self):",
      '        super().__init__(check_id="CKV_AWS_24", port=22)',
    ].join("\n"),
    // A check on a type the program never creates is left out.
    "checkov/terraform/checks/resource/aws/ECRImmutable.py": [
      '        name = "Ensure ECR Image Tags are immutable"',
      '        id = "CKV_AWS_51"',
      "        supported_resources = ('aws_ecr_repository',)",
    ].join("\n"),
    "checkov/terraform/checks/resource/gcp/GKENodePoolAutoRepairEnabled.py": [
      "        name = \"Ensure 'Automatic node repair' is enabled for Kubernetes Clusters\"",
      '        id = "CKV_GCP_9"',
      "        supported_resources = ('google_container_node_pool',)",
    ].join("\n"),
    "checkov/terraform/checks/graph_checks/aws/S3BucketLogging.yaml": [
      "metadata:",
      '  name: "Ensure the S3 bucket has access logging enabled"',
      '  id: "CKV_AWS_18"',
      "definition:",
      "  cond_type: connection",
      "  resource_types: [aws_s3_bucket]",
      "  connected_resource_types: [aws_s3_bucket_logging]",
      "  operator: exists",
    ].join("\n"),
    // checkov's own tests: a Python check's test names its example directory and the
    // addresses it expects to pass and fail; a graph check's directory has expected.yaml.
    "tests/terraform/checks/resource/aws/test_SecurityGroupUnrestrictedIngress22.py": [
      "from checkov.terraform.checks.resource.aws.SecurityGroupUnrestrictedIngress22 import check",
      '        test_files_dir = current_dir + "/example_SecurityGroupUnrestrictedIngress22"',
      '        passing_resources = {"aws_security_group.pass", }',
      "        failing_resources = {",
      '            "aws_security_group.fail",',
      '            "aws_security_group_rule.fail",',
      "        }",
    ].join("\n"),
    "tests/terraform/checks/resource/aws/example_SecurityGroupUnrestrictedIngress22/main.tf":
      'resource "aws_security_group" "fail" {}',
    "tests/terraform/checks/resource/aws/example_SecurityGroupUnrestrictedIngress22/more/rules.tf":
      'resource "aws_security_group_rule" "fail" {}',
    "tests/terraform/graph/checks/resources/S3BucketLogging/expected.yaml":
      'pass:\n  - "aws_s3_bucket.ok"\nfail:\n  - "aws_s3_bucket.bad"',
    "tests/terraform/graph/checks/resources/S3BucketLogging/main.tf":
      'resource "aws_s3_bucket" "ok" {}',
    "checkov/kubernetes/checks/resource/k8s/PrivilegedContainers.py": [
      '        name = "Container should not be privileged"',
      '        id = "CKV_K8S_16"',
    ].join("\n"),
    "checks/cloud/google/gke/enable_network_policy.rego": [
      "# METADATA",
      "# title: Network Policy should be enabled on GKE clusters",
      "# custom:",
      "#   id: GCP-0056",
      "#   aliases:",
      "#     - AVD-GCP-0056",
      "#     - enable-network-policy",
      "package builtin.google.gke.google0056",
    ].join("\n"),
    "checks/cloud/google/gke/enable_network_policy_test.rego": "package test",
    "checks/cloud/aws/ecr/enable_image_scans.rego":
      "# METADATA\n# title: ECR\n# custom:\n#   id: AWS-0030\n",
    // compliance-policies: a policy on a type the program creates, its spec (run with the
    // helpers replaced by recorders), one on a type it does not, a List type (out of scope).
    "vendor-aws/aws/s3/Bucket/disallowPublicRead.ts": [
      "export const disallowPublicRead = policyManager.registerPolicy({",
      '    resourceValidationPolicy: { name: "aws-s3-bucket-disallow-public-read",',
      "        description: \"Checks that S3 Bucket ACLs don't allow 'public-read'.\",",
    ].join("\n"),
    "vendor-aws/tests/aws/s3/Bucket/disallowPublicRead.spec.ts": [
      'import "mocha";',
      'import { assertHasResourceViolation, assertNoResourceViolations } from "@pulumi/compliance-policies-unit-test-helpers";',
      'import * as policies from "../../../../index";',
      'import { getResourceValidationArgs } from "./resource";',
      'describe("aws.s3.Bucket.disallowPublicRead", function() {',
      "    const policy = policies.aws.s3.Bucket.disallowPublicRead;",
      '    it("policy-config-include", async function() {',
      "        const args = getResourceValidationArgs();",
      '        args.props.acl = "authenticated-read";',
      '        await assertHasResourceViolation(policy, args, { message: "x" });',
      "    });",
      '    it("#1", async function() {',
      "        await assertNoResourceViolations(policy, getResourceValidationArgs());",
      "    });",
      '    it("#2", async function() {',
      "        const args = getResourceValidationArgs();",
      '        args.props.acl = "public-read";',
      '        await assertHasResourceViolation(policy, args, { message: "x" });',
      "    });",
      "});",
    ].join("\n"),
    "vendor-aws/tests/aws/s3/Bucket/resource.ts": [
      'import * as aws from "@pulumi/aws";',
      'import { createResourceValidationArgs } from "@pulumi/compliance-policies-unit-test-helpers";',
      "export function getResourceValidationArgs() {",
      '    return createResourceValidationArgs(aws.s3.Bucket, { acl: "private" });',
      "}",
    ].join("\n"),
    "vendor-aws/aws/ecr/Repository/enableImageScans.ts":
      '    resourceValidationPolicy: { name: "aws-ecr-repository-enable-image-scans",',
    "vendor-kubernetes/kubernetes/apps/v1beta1/DeploymentList/disallowBetaResource.ts":
      '    resourceValidationPolicy: { name: "kubernetes-apps-v1beta1-deploymentlist-disallow-beta-resource",',
    // Polaris: a check and its test manifests (success.* must pass, failure.* must fail).
    "pkg/config/checks/hostPortSet.yaml":
      "successMessage: Host port is not configured\nfailureMessage: Host port should not be configured\ntarget: Container",
    "test/checks/hostPortSet/success.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok",
    "test/checks/hostPortSet/failure.host_port.yaml":
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad",
    // kubescape: a control naming its rule by the metadata's name (not the folder's), the rule's
    // test cases (expected.json `[]` passes), a case fed cloud data (left out), and a control
    // whose only rule reads host-sensor data (out of scope, so recorded without examples).
    "controls/C-0044-containerhostport.json": JSON.stringify({
      name: "Container hostPort",
      controlID: "C-0044",
      rulesNames: ["container-hostPort"],
    }),
    "rules/container-host-port/rule.metadata.json": JSON.stringify({
      name: "container-hostPort",
      match: [
        { apiGroups: [""], resources: ["Pod"] },
        { apiGroups: ["apps"], resources: ["Deployment"] },
      ],
    }),
    "rules/container-host-port/test/fail/input/pod.yaml":
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad",
    "rules/container-host-port/test/fail/expected.json": '[{"alertMessage": "hostPort"}]',
    "rules/container-host-port/test/pass/input/pod.json":
      '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ok"}}',
    "rules/container-host-port/test/pass/expected.json": "[]",
    "rules/container-host-port/test/cloud/input/cluster.json":
      '{"apiVersion": "eks.amazonaws.com/v1", "kind": "ClusterDescribe"}',
    "rules/container-host-port/test/cloud/expected.json": "[]",
    "controls/C-0175-verifythatthereadonlyportargumentissetto0.json": JSON.stringify({
      name: "Verify that the --read-only-port argument is set to 0",
      controlID: "C-0175",
      rulesNames: ["read-only-port-enabled-updated"],
    }),
    "rules/read-only-port-enabled-updated/rule.metadata.json": JSON.stringify({
      name: "read-only-port-enabled-updated",
      match: [{ apiGroups: ["hostdata.kubescape.cloud"], resources: ["KubeletInfo"] }],
    }),
    "rules/read-only-port-enabled-updated/test/fail/input/kubelet.yaml":
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x",
    "rules/read-only-port-enabled-updated/test/fail/expected.json": '[{"alertMessage": "x"}]',
    "pkg/builtinchecks/yamls/privileged.yaml": [
      'name: "privileged-container"',
      'description: "Indicates when deployments have containers running in privileged mode."',
      "template: privileged",
    ].join("\n"),
  };
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: repo,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@t",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@t",
      },
    });
  git("init", "-q");
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(repo, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), text + "\n");
  }
  git("add", "-A");
  git("commit", "-qm", "fixture");
  const dir = path.join(repo, ".git");

  it("checkov: ids from subclasses with the abstract check's resources and title; graph checks; Kubernetes checks; other types left out", () => {
    const found = checkov(dir, "HEAD");
    expect(found.map((c) => c.id).sort()).toEqual([
      "CKV_AWS_18",
      "CKV_AWS_24",
      "CKV_GCP_9",
      "CKV_K8S_16",
    ]);
    const ssh = found.find((c) => c.id === "CKV_AWS_24")!;
    expect(ssh.title).toBe("Ensure no security groups allow ingress from 0.0.0.0:0 to port 22");
    expect(ssh.targets).toContain("aws_security_group");
    expect(found.find((c) => c.id === "CKV_GCP_9")!.title).toBe(
      "Ensure 'Automatic node repair' is enabled for Kubernetes Clusters",
    );
    expect(found.find((c) => c.id === "CKV_AWS_18")!.targets).toEqual([
      "aws_s3_bucket",
      "aws_s3_bucket_logging",
    ]);
  });

  it("checkov: each check's own test fixture, found through the test that imports the check", () => {
    const found = checkov(dir, "HEAD");
    expect(found.find((c) => c.id === "CKV_AWS_24")!.fixture).toEqual({
      files: {
        "main.tf": 'resource "aws_security_group" "fail" {}\n',
        "more/rules.tf": 'resource "aws_security_group_rule" "fail" {}\n',
      },
      pass: ["aws_security_group.pass"],
      fail: ["aws_security_group.fail", "aws_security_group_rule.fail"],
    });
    expect(found.find((c) => c.id === "CKV_AWS_18")!.fixture).toEqual({
      files: { "main.tf": 'resource "aws_s3_bucket" "ok" {}\n' },
      pass: ["aws_s3_bucket.ok"],
      fail: ["aws_s3_bucket.bad"],
    });
    // no test recorded for it: no fixture
    expect(found.find((c) => c.id === "CKV_GCP_9")!.fixture).toBeUndefined();
  });

  it("trivy: the AVD alias from the METADATA block, only in the services in scope, tests skipped", () => {
    const found = trivy(dir, "HEAD");
    expect(found).toEqual([
      {
        id: "AVD-GCP-0056",
        tool: "trivy",
        title: "Network Policy should be enabled on GKE clusters",
        targets: ["google/gke"],
        path: "checks/cloud/google/gke/enable_network_policy.rego",
      },
    ]);
  });

  it("kube-linter: the check's name and description", () => {
    expect(kubeLinter(dir, "HEAD")).toEqual([
      expect.objectContaining({
        id: "kube-linter:privileged-container",
        title: "Indicates when deployments have containers running in privileged mode.",
      }),
    ]);
  });

  it("compliance-policies: policies on the program's types, with their tests' inputs as examples", async () => {
    const found = await compliancePolicies(dir, "HEAD");
    expect(found.map((c) => c.id)).toEqual([
      "compliance-policies:aws-s3-bucket-disallow-public-read",
      "compliance-policies:kubernetes-apps-v1beta1-deploymentlist-disallow-beta-resource",
    ]);
    const acl = found[0];
    expect(acl.targets).toEqual(["aws:s3/bucket:Bucket"]);
    expect(acl.title).toBe("Checks that S3 Bucket ACLs don't allow 'public-read'.");
    // the policy-config test (a filter by resource name) gives no example
    expect(acl.examples!.pulumi).toEqual({
      good: [JSON.stringify({ type: "aws:s3/bucket:Bucket", props: { acl: "private" } })],
      bad: [JSON.stringify({ type: "aws:s3/bucket:Bucket", props: { acl: "public-read" } })],
    });
    // a List type is out of scope: recorded without examples
    expect(found[1].examples).toBeUndefined();
    expect(outOfScope(found[1])).toMatch(/List and Patch/);
  });

  it("polaris: each check with its success and failure test manifests", () => {
    expect(polaris(dir, "HEAD")).toEqual([
      {
        id: "polaris:hostPortSet",
        tool: "polaris",
        title: "Host port should not be configured",
        targets: ["kubernetes"],
        path: "pkg/config/checks/hostPortSet.yaml",
        examples: {
          kubernetes: {
            good: ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n"],
            bad: ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n"],
          },
        },
      },
    ]);
  });

  it("kubescape: each control with the kinds its rules match and their test cases as examples", () => {
    expect(kubescape(dir, "HEAD")).toEqual([
      {
        id: "kubescape:C-0044",
        tool: "kubescape",
        title: "Container hostPort",
        targets: ["Deployment", "Pod"],
        path: "controls/C-0044-containerhostport.json",
        examples: {
          kubernetes: {
            good: ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n"],
            bad: ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n"],
          },
        },
      },
      {
        id: "kubescape:C-0175",
        tool: "kubescape",
        title: "Verify that the --read-only-port argument is set to 0",
        targets: ["KubeletInfo"],
        path: "controls/C-0175-verifythatthereadonlyportargumentissetto0.json",
      },
    ]);
  });

  it("the command policies/README.md shows writes one file with the six tools' checks and commits", async () => {
    const out = path.join(repo, "upstream.json");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    await main([
      "--checkov",
      dir,
      "--trivy",
      dir,
      "--kube-linter",
      dir,
      "--compliance-policies",
      dir,
      "--polaris",
      dir,
      "--kubescape",
      dir,
      "--out",
      out,
    ]);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^11 in-scope checks written to /));
    log.mockRestore();
    const written = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(Object.keys(written.sources)).toEqual([
      "checkov",
      "trivy",
      "kube-linter",
      "compliance-policies",
      "polaris",
      "kubescape",
    ]);
    expect(written.sources.trivy.commit).toBe(git("rev-parse", "HEAD").trim());
    expect(written.checks.map((c: ExternalCheck) => c.id)).toEqual([
      "AVD-GCP-0056",
      "CKV_AWS_18",
      "CKV_AWS_24",
      "CKV_GCP_9",
      "CKV_K8S_16",
      "compliance-policies:aws-s3-bucket-disallow-public-read",
      "compliance-policies:kubernetes-apps-v1beta1-deploymentlist-disallow-beta-resource",
      "kube-linter:privileged-container",
      "kubescape:C-0044",
      "kubescape:C-0175",
      "polaris:hostPortSet",
    ]);
    await expect(main(["--checkov", dir])).rejects.toThrow(/--trivy <git dir> is required/);
  });

  it("the recorded file names its sources' commits", () => {
    for (const tool of Object.keys(TOOL_REPOSITORIES))
      expect(upstream.sources[tool].commit, tool).toMatch(/^[0-9a-f]{40}$/);
  });
});

/**
 * Records the checks of checkov, trivy-checks, kube-linter, pulumi/compliance-policies, Polaris
 * and kubescape that fall in this project's scope (the resource types the program creates, the
 * Kubernetes objects it and the models CLI render) into policies/external/upstream.json, from git
 * clones of the tools at the commits you choose. The pack's rules cite these ids (`covers` in
 * their metadata), policies/external/scope.ts gives the reason for every in-scope check no rule
 * covers (NOT_ADOPTED) and for every check out of scope, and test/policies/external.test.ts holds
 * them together: no cited id that upstream lacks, no in-scope check left unaccounted for.
 *
 *   git clone --bare https://github.com/bridgecrewio/checkov /tmp/checkov.git
 *   git clone --bare https://github.com/aquasecurity/trivy-checks /tmp/trivy-checks.git
 *   git clone --bare https://github.com/stackrox/kube-linter /tmp/kube-linter.git
 *   git clone --bare https://github.com/pulumi/compliance-policies /tmp/compliance-policies.git
 *   git clone --bare https://github.com/FairwindsOps/polaris /tmp/polaris.git
 *   git clone --bare https://github.com/kubescape/regolibrary /tmp/regolibrary.git
 *   npm run -s external-checks -- --checkov /tmp/checkov.git \
 *     --trivy /tmp/trivy-checks.git --kube-linter /tmp/kube-linter.git \
 *     --compliance-policies /tmp/compliance-policies.git --polaris /tmp/polaris.git \
 *     --kubescape /tmp/regolibrary.git \
 *     [--rev HEAD] [--out FILE]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { examplesOfSpec, pulumiToken } from "./lib/compliancePolicies";
import {
  EXAMPLE_TYPES,
  TOOL_REPOSITORIES,
  TERRAFORM_TYPES,
  TRIVY_SERVICES,
  outOfScope,
  type ExternalCheck,
} from "../policies/external/scope";

const ROOT = path.resolve(__dirname, "..");
export const UPSTREAM = path.join(ROOT, "policies", "external", "upstream.json");

/** The recorded file: where each tool's checks came from, and the checks. */
export interface Upstream {
  sources: Record<string, { repository: string; commit: string; date: string }>;
  checks: ExternalCheck[];
}
let recorded: Upstream | undefined;
/** policies/external/upstream.json, read once per process. */
export const readUpstream = (): Upstream =>
  (recorded ??= JSON.parse(fs.readFileSync(UPSTREAM, "utf8")) as Upstream);

const git = (dir: string, ...args: string[]) =>
  execFileSync("git", [`--git-dir=${dir}`, ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    // a missing file is an answer here (no test for that check), not noise on the terminal
    stdio: ["ignore", "pipe", "pipe"],
  });
const list = (dir: string, rev: string, ...under: string[]) =>
  git(dir, "ls-tree", "-r", "--name-only", rev, "--", ...under)
    .split("\n")
    .filter(Boolean);
const show = (dir: string, rev: string, file: string) => git(dir, "show", `${rev}:${file}`);
const tryShow = (dir: string, rev: string, file: string) => {
  try {
    return show(dir, rev, file);
  } catch {
    return undefined;
  }
};

const QUOTED = (re: string) => new RegExp(`["']${re}["']`, "g");
const first = (s: string, re: RegExp) => re.exec(s)?.[1];

/** The quoted Terraform addresses in a Python set literal `name = { "a.b", ... }`, or undefined. */
function addressSet(src: string, name: string): string[] | undefined {
  const body = new RegExp(`\\b${name}\\s*=\\s*(?:set\\(\\s*)?[{\\[]([^}\\]]*)[}\\]]`).exec(
    src,
  )?.[1];
  if (body === undefined) return undefined;
  return [...body.matchAll(/["']([a-z0-9_]+\.[\w-]+)["']/g)].map((m) => m[1]);
}

/** Every .tf file under a directory of the checkout: path under the directory -> text. */
const terraformIn = (dir: string, rev: string, folder: string) =>
  Object.fromEntries(
    list(dir, rev, folder)
      .filter((f) => f.endsWith(".tf"))
      .map((f) => [path.relative(folder, f), show(dir, rev, f)]),
  );

/**
 * checkov's own test of a check: tests/terraform/checks/resource/<provider>/test_<Check>.py
 * (passing_resources / failing_resources over example_<Check>/) for Python checks, and
 * tests/terraform/graph/checks/resources/<Check>/{main.tf,expected.yaml} for graph checks.
 * Undefined when the test is missing or written another way.
 */
function checkovFixture(
  dir: string,
  rev: string,
  file: string,
  tests: Map<string, string>,
): ExternalCheck["fixture"] {
  const base = path.basename(file).replace(/\.(py|yaml)$/, "");
  try {
    if (file.includes("/graph_checks/")) {
      const folder = `tests/terraform/graph/checks/resources/${base}`;
      const expected = parse(show(dir, rev, `${folder}/expected.yaml`)) ?? {};
      const files = terraformIn(dir, rev, folder);
      if (Object.keys(files).length === 0) return undefined;
      return { files, pass: expected.pass ?? [], fail: expected.fail ?? [] };
    }
    const provider = file.split("/").at(-2)!;
    const folder = `tests/terraform/checks/resource/${provider}`;
    const testFile = tests.get(`${provider}.${base}`);
    if (!testFile) return undefined;
    const test = show(dir, rev, testFile);
    const example = first(test, /["'/](example_[\w-]+)["']/);
    const pass = addressSet(test, "passing_resources");
    const fail = addressSet(test, "failing_resources");
    if (!example || !pass || !fail) return undefined;
    const files = terraformIn(dir, rev, `${folder}/${example}`);
    return Object.keys(files).length ? { files, pass, fail } : undefined;
  } catch {
    return undefined;
  }
}

/** checkov's resource-check tests by the check they import: "<provider>.<Check>" -> test file. */
function checkovTests(dir: string, rev: string): Map<string, string> {
  const tests = new Map<string, string>();
  for (const f of list(
    dir,
    rev,
    "tests/terraform/checks/resource/aws",
    "tests/terraform/checks/resource/gcp",
  )) {
    if (!/\/test_[\w]+\.py$/.test(f)) continue;
    const m = /from checkov\.terraform\.checks\.resource\.(aws|gcp)\.(\w+) import check/.exec(
      show(dir, rev, f),
    );
    if (m && !tests.has(`${m[1]}.${m[2]}`)) tests.set(`${m[1]}.${m[2]}`, f);
  }
  return tests;
}

/** checkov: Python resource checks (terraform, kubernetes) and YAML graph checks (terraform). */
export function checkov(dir: string, rev: string): ExternalCheck[] {
  const out: ExternalCheck[] = [];
  const tests = checkovTests(dir, rev);
  const tfTypes = new Set(Object.values(TERRAFORM_TYPES));
  const python = list(
    dir,
    rev,
    "checkov/terraform/checks/resource/gcp",
    "checkov/terraform/checks/resource/aws",
    "checkov/kubernetes/checks/resource/k8s",
  ).filter((f) => f.endsWith(".py"));
  const sources = new Map(python.map((f) => [f, show(dir, rev, f)]));
  for (const [file, src] of sources) {
    const ids = [...src.matchAll(QUOTED("(CKV2?_[A-Z0-9]+_\\d+)"))].map((m) => m[1]);
    if (ids.length === 0) continue;
    // A subclass of an abstract check in the same folder inherits its name and resources.
    const baseName = first(src, /from checkov\.[\w.]+\.(Abs\w+|Base\w+) import/);
    const base = baseName
      ? (sources.get(path.join(path.dirname(file), `${baseName}.py`)) ?? "")
      : "";
    const NAME = /\bname\s*=\s*\(?\s*f?(["'])(.+?)\1/;
    const port = first(src, /\bport=(\d+)/);
    const title = (
      NAME.exec(src)?.[2] ??
      NAME.exec(base)?.[2] ??
      path.basename(file, ".py")
    ).replace("{port}", port ?? "{port}");
    let targets: string[];
    if (file.startsWith("checkov/terraform")) {
      targets = [
        ...new Set(
          [...(src + base).matchAll(QUOTED("((?:google|aws)_[a-z0-9_]+)"))].map((m) => m[1]),
        ),
      ];
      if (!targets.some((t) => tfTypes.has(t))) continue;
    } else targets = ["kubernetes"];
    const fixture = file.startsWith("checkov/terraform")
      ? checkovFixture(dir, rev, file, tests)
      : undefined;
    for (const id of new Set(ids)) {
      const check: ExternalCheck = {
        id,
        tool: "checkov",
        title: title.trim(),
        targets: targets.sort(),
        path: file,
      };
      if (fixture && !outOfScope(check)) check.fixture = fixture;
      out.push(check);
    }
  }
  for (const file of list(
    dir,
    rev,
    "checkov/terraform/checks/graph_checks/gcp",
    "checkov/terraform/checks/graph_checks/aws",
  )) {
    if (!/\.ya?ml$/.test(file)) continue;
    const doc = parse(show(dir, rev, file));
    const types = new Set<string>();
    JSON.stringify(doc.definition, (k, v) => {
      if ((k === "resource_types" || k === "connected_resource_types") && Array.isArray(v))
        v.forEach((t: string) => types.add(t));
      return v;
    });
    if (![...types].some((t) => tfTypes.has(t))) continue;
    const check: ExternalCheck = {
      id: doc.metadata.id,
      tool: "checkov",
      title: doc.metadata.name,
      targets: [...types].sort(),
      path: file,
    };
    const fixture = outOfScope(check) ? undefined : checkovFixture(dir, rev, file, tests);
    if (fixture) check.fixture = fixture;
    out.push(check);
  }
  return out;
}

/** trivy-checks: the METADATA block of each Rego check (cloud services in scope, Kubernetes). */
export function trivy(dir: string, rev: string): ExternalCheck[] {
  const out: ExternalCheck[] = [];
  const under = [...TRIVY_SERVICES.map((s) => `checks/cloud/${s}`), "checks/kubernetes"];
  const files = list(dir, rev, ...under);
  const present = new Set(files);
  for (const file of files) {
    if (!file.endsWith(".rego") || file.endsWith("_test.rego")) continue;
    const src = show(dir, rev, file);
    const block = /^# METADATA\n((?:#.*\n)+)/m.exec(src);
    if (!block) continue;
    const meta = parse(block[1].replace(/^# ?/gm, ""));
    const avd = (meta.custom?.aliases ?? []).find((a: string) => a.startsWith("AVD-"));
    const id = avd ?? `AVD-${meta.custom?.id}`;
    if (!meta.custom?.id || meta.custom?.deprecated) continue;
    const check: ExternalCheck = {
      id,
      tool: "trivy",
      title: String(meta.title).trim(),
      targets: [
        file.startsWith("checks/kubernetes") ? "kubernetes" : file.split("/").slice(2, 4).join("/"),
      ],
      path: file,
    };
    // The check's documentation examples sit next to it: <name>.yaml with good/bad per language.
    const docs = file.replace(/\.rego$/, ".yaml");
    if (present.has(docs) && !outOfScope(check)) {
      const ex = parse(show(dir, rev, docs)) ?? {};
      const examples: ExternalCheck["examples"] = {};
      for (const lang of ["terraform", "kubernetes"] as const)
        if (ex[lang]?.bad?.length || ex[lang]?.good?.length)
          examples[lang] = { good: ex[lang].good ?? [], bad: ex[lang].bad ?? [] };
      if (Object.keys(examples).length) check.examples = examples;
    }
    out.push(check);
  }
  return out;
}

/**
 * kube-linter's test objects: e2etests/bats-tests.sh runs each check on tests/checks/<file>.yml
 * and asserts the number of reports; objects named dont-fire* are the ones that must pass.
 * Kept only when the objects not named dont-fire are exactly the reports the test expects.
 */
function kubeLinterExamples(dir: string, rev: string) {
  const bats = show(dir, rev, "e2etests/bats-tests.sh");
  const found = new Map<string, { good: string[]; bad: string[] }>();
  for (const m of bats.matchAll(
    /@test "([\w-]+)" \{\n\s*tmp="(tests\/checks\/[\w.-]+)"[\s\S]*?\[\[ "\$\{count\}" == "(\d+)" \]\]/g,
  )) {
    const [, name, file, count] = m;
    let text: string;
    try {
      text = show(dir, rev, file);
    } catch {
      continue;
    }
    const docs = parseAllDocuments(text)
      .map((d) => d.toJS())
      .filter((d) => d && typeof d === "object");
    const good = docs.filter((d) => String(d.metadata?.name ?? "").startsWith("dont-fire"));
    const bad = docs.filter((d) => !good.includes(d));
    if (bad.length !== Number(count)) continue;
    found.set(name, { good: good.map((d) => stringify(d)), bad: bad.map((d) => stringify(d)) });
  }
  return found;
}

/** kube-linter: the built-in checks' YAML definitions. */
export function kubeLinter(dir: string, rev: string): ExternalCheck[] {
  let examples = new Map<string, { good: string[]; bad: string[] }>();
  try {
    examples = kubeLinterExamples(dir, rev);
  } catch {
    // a checkout without the e2e tests: checks without examples
  }
  return list(dir, rev, "pkg/builtinchecks/yamls")
    .filter((f) => f.endsWith(".yaml"))
    .map((file) => {
      const doc = parse(show(dir, rev, file));
      const kubernetes = examples.get(doc.name);
      return {
        id: `kube-linter:${doc.name}`,
        tool: "kube-linter" as const,
        title: String(doc.description).trim(),
        targets: ["kubernetes"],
        path: file,
        ...(kubernetes ? { examples: { kubernetes } } : {}),
      };
    });
}

/**
 * pulumi/compliance-policies: the resource policies of the AWS, Google Cloud and Kubernetes
 * vendors on the types the program creates (all Kubernetes kinds), with their unit tests'
 * inputs as examples (scripts/lib/compliancePolicies.ts runs the spec files).
 */
export async function compliancePolicies(dir: string, rev: string): Promise<ExternalCheck[]> {
  const cloudTypes = new Set([...Object.keys(TERRAFORM_TYPES), ...Object.keys(EXAMPLE_TYPES)]);
  const files = list(
    dir,
    rev,
    "vendor-aws/aws",
    "vendor-google/gcp",
    "vendor-kubernetes/kubernetes",
  );
  const present = new Set(files);
  const read = (f: string) =>
    present.has(f) || f.includes("/tests/") ? tryShow(dir, rev, f) : undefined;
  const out: ExternalCheck[] = [];
  for (const file of files) {
    const m =
      /^vendor-(aws|google|kubernetes)\/(?:aws|gcp|kubernetes)\/(.+)\/([A-Z]\w*)\/(\w+)\.ts$/.exec(
        file,
      );
    if (!m || m[4] === "index") continue;
    const pkg = m[1] === "google" ? "gcp" : m[1];
    const type = pulumiToken(pkg, m[2].split("/"), m[3]);
    if (pkg !== "kubernetes" && !cloudTypes.has(type)) continue;
    const src = show(dir, rev, file);
    const name = first(src, /\bname:\s*"([\w-]+)"/);
    if (!name) continue;
    const check: ExternalCheck = {
      id: `compliance-policies:${name}`,
      tool: "compliance-policies",
      title: (first(src, /\bdescription:\s*"((?:[^"\\]|\\.)*)"/) ?? name).trim(),
      targets: [type],
      path: file,
    };
    if (!outOfScope(check)) {
      const spec = file.replace(/^(vendor-\w+)\//, "$1/tests/").replace(/\.ts$/, ".spec.ts");
      if (tryShow(dir, rev, spec) !== undefined) {
        const ex = await examplesOfSpec(spec, read);
        if (ex.good.length || ex.bad.length)
          check.examples = {
            pulumi: {
              good: ex.good.map((e) => JSON.stringify(e)),
              bad: ex.bad.map((e) => JSON.stringify(e)),
            },
          };
      }
    }
    out.push(check);
  }
  return out;
}

/**
 * Polaris: the built-in checks (pkg/config/checks/<check>.yaml) with their test manifests,
 * test/checks/<check>/success.*.yaml (must pass) and failure.*.yaml (must fail).
 */
export function polaris(dir: string, rev: string): ExternalCheck[] {
  const tests = list(dir, rev, "test/checks");
  return list(dir, rev, "pkg/config/checks")
    .filter((f) => f.endsWith(".yaml"))
    .map((file) => {
      const name = path.basename(file, ".yaml");
      const doc = parse(show(dir, rev, file)) ?? {};
      const mine = tests.filter((t) => t.startsWith(`test/checks/${name}/`));
      const of = (prefix: string) =>
        mine.filter((t) => path.basename(t).startsWith(prefix)).map((t) => show(dir, rev, t));
      const good = of("success");
      const bad = of("failure");
      return {
        id: `polaris:${name}`,
        tool: "polaris" as const,
        title: String(doc.failureMessage ?? name).trim(),
        targets: ["kubernetes"],
        path: file,
        ...(good.length || bad.length ? { examples: { kubernetes: { good, bad } } } : {}),
      };
    });
}

/** apiVersions of the data kubescape gathers from clouds and hosts, not of Kubernetes manifests. */
const KUBESCAPE_DATA = /kubescape|amazonaws\.com|azure\.com|googleapis\.com|^armo\./;

/** The objects of one kubescape test input file (YAML documents, a JSON object or array, a List). */
function kubescapeObjects(text: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(text).flatMap((d) => {
    const js = d.toJS();
    return Array.isArray(js) ? js : [js];
  });
  return docs
    .filter((d) => d && typeof d === "object")
    .flatMap((d) => (d.kind === "List" && Array.isArray(d.items) ? d.items : [d]));
}

/**
 * kubescape: the controls (controls/C-*.json, in kubescape/regolibrary) with the Kubernetes kinds
 * their rules match (rules/<rule>/rule.metadata.json) and, as examples, their rules' tests:
 * rules/<rule>/test/<case>/input/* (the objects) and expected.json (`[]` when the case passes).
 * Cases that feed the rule data kubescape gathers from a cloud API or a node's host sensor
 * instead of manifests are left out.
 */
export function kubescape(dir: string, rev: string): ExternalCheck[] {
  const files = list(dir, rev, "controls", "rules");
  // A control names its rules by the `name` in their metadata, which is not always the folder's.
  const rules = new Map<
    string,
    {
      folder: string;
      meta: { match?: { resources?: string[] }[]; dynamicMatch?: { resources?: string[] }[] };
    }
  >();
  for (const f of files.filter((f) => /^rules\/[^/]+\/rule\.metadata\.json$/.test(f))) {
    const meta = JSON.parse(show(dir, rev, f));
    rules.set(meta.name, { folder: path.dirname(f), meta });
  }
  return files
    .filter((f) => /^controls\/C-\d+[^/]*\.json$/.test(f))
    .map((file) => {
      const control = JSON.parse(show(dir, rev, file));
      const targets = new Set<string>();
      const good: string[] = [];
      const bad: string[] = [];
      for (const name of (control.rulesNames ?? []) as string[]) {
        const rule = rules.get(name);
        if (!rule) continue;
        // `*-native` rules read a self-managed control plane from its kube-system static pods;
        // their cloud twins (ClusterDescribe) are what applies to GKE and EKS.
        const native = /-native(-cis)?$/.test(name);
        const { match = [], dynamicMatch = [] } = rule.meta;
        for (const m of [...match, ...dynamicMatch])
          for (const r of m.resources ?? []) targets.add(r);
        const tests = files.filter((f) => f.startsWith(`${rule.folder}/test/`));
        const cases = new Set(tests.map((f) => f.split("/")[3]));
        for (const c of [...cases].sort()) {
          const expected = tryShow(dir, rev, `${rule.folder}/test/${c}/expected.json`);
          const inputs = tests.filter((f) => f.startsWith(`${rule.folder}/test/${c}/input/`));
          if (native || expected === undefined || inputs.length === 0) continue;
          const objects = inputs.flatMap((f) => kubescapeObjects(show(dir, rev, f)));
          if (objects.some((o) => KUBESCAPE_DATA.test(String(o.apiVersion ?? "")))) continue;
          const text = objects.map((o) => stringify(o)).join("---\n");
          const failures = JSON.parse(expected) as unknown[] | null;
          (failures?.length ? bad : good).push(text);
        }
      }
      const check: ExternalCheck = {
        id: `kubescape:${control.controlID}`,
        tool: "kubescape",
        title: String(control.name).trim(),
        targets: [...targets].sort(),
        path: file,
      };
      // Examples are kept for checks in scope only (the control-plane flag checks alone hold
      // hundreds of kube-system Pods).
      return (good.length || bad.length) && !outOfScope(check)
        ? { ...check, examples: { kubernetes: { good, bad } } }
        : check;
    });
}

export async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0 || !argv[i + 1]) throw new Error(`--${name} <git dir> is required`);
    return argv[i + 1];
  };
  const rev = argv.includes("--rev") ? argv[argv.indexOf("--rev") + 1] : "HEAD";
  const dirs = {
    checkov: arg("checkov"),
    trivy: arg("trivy"),
    "kube-linter": arg("kube-linter"),
    "compliance-policies": arg("compliance-policies"),
    polaris: arg("polaris"),
    kubescape: arg("kubescape"),
  };
  const sources = Object.fromEntries(
    Object.entries(dirs).map(([tool, dir]) => {
      const [commit, date] = git(dir, "log", "-1", "--format=%H %cs", rev).trim().split(" ");
      return [tool, { repository: TOOL_REPOSITORIES[tool as keyof typeof dirs], commit, date }];
    }),
  );
  const checks = [
    ...checkov(dirs.checkov, rev),
    ...trivy(dirs.trivy, rev),
    ...kubeLinter(dirs["kube-linter"], rev),
    ...(await compliancePolicies(dirs["compliance-policies"], rev)),
    ...polaris(dirs.polaris, rev),
    ...kubescape(dirs.kubescape, rev),
  ].sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }));
  const doc = {
    generatedBy: "npm run external-checks (scripts/external-checks.ts); do not edit by hand",
    sources,
    checks,
  };
  const out = argv.includes("--out") ? argv[argv.indexOf("--out") + 1] : UPSTREAM;
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  console.log(`${checks.length} in-scope checks written to ${path.relative(process.cwd(), out)}`);
}

if (require.main === module)
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });

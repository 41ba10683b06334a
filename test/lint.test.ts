/**
 * The layer boundaries (eslint.boundaries.mjs) hold: a planted wrong-way import
 * in each layer is an ESLint error naming the rule, and the imports the layers
 * are meant to make pass. Lints source text against the very rule objects the
 * project's eslint.config.mjs uses.
 */
import * as path from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
let eslint: ESLint;

beforeAll(async () => {
  const { boundaries } = (await import(path.join(ROOT, "eslint.boundaries.mjs"))) as {
    boundaries: unknown[];
  };
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser as never } },
      ...(boundaries as never[]),
    ],
  });
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const WRONG_WAY: [file: string, importFrom: string][] = [
  ["components/gcp/gkeCluster.ts", "../aws/eks/cluster"],
  ["components/gcp/network.ts", "../services/namespaces"],
  ["components/aws/eks/cluster.ts", "../../gcp/gkeCluster"],
  ["components/aws/network.ts", "../gcp/network"],
  ["components/services/argoCd.ts", "../gcp/gkeCluster"],
  ["components/services/monitoring.ts", "../aws/eks/cluster"],
  ["components/services/clusterLayer.ts", "../platform"],
  ["components/platform.ts", "../stacks/defaults"],
  ["components/aws/eks/cluster.ts", "../../../stacks/config"],
  ["components/lib/net.ts", "../gcp/network"],
  ["components/model.ts", "./services/clusterLayer"],
  ["components/gcp/gkeCluster.ts", "../../test/helpers/fixtures"],
  ["policies/rules/argo.ts", "../../components/services/argoCd"],
  ["policies/rules/gcp/gke.ts", "../../../components/gcp/gkeCluster"],
  ["policies/rules/cost.ts", "../../stacks/defaults"],
  ["policies/rules/cost.ts", "../../components/lib/helm"],
  ["policies/rules/kubernetes/pods.ts", "../../../components/contracts"],
];

const RIGHT_WAY: [file: string, importFrom: string][] = [
  ["components/gcp/gkeCluster.ts", "../contracts"],
  ["components/gcp/gkeCluster.ts", "./gpuCatalog"],
  ["components/aws/eks/cluster.ts", "../../lib/helm"],
  ["components/aws/eks/cluster.ts", "../network"],
  ["components/services/argoCd.ts", "../lib/helm"],
  ["components/platform.ts", "./gcp/cloudLayer"],
  ["components/platform.ts", "./services/clusterLayer"],
  ["stacks/config.ts", "../components/aws/configChecks"],
  ["policies/rules/argo.ts", "../../components/model"],
  ["policies/rules/argo.ts", "../../components/lib/charts"],
  ["policies/rules/cost.ts", "../../components/lib/ec2Gpus"],
  // Packages whose names contain a layer's name are not layers.
  ["components/services/gpuAddons.ts", "@pulumi/aws/eks"],
  ["components/gcp/gkeCluster.ts", "@pulumi/gcp/container"],
  ["components/aws/network.ts", "./sdk"],
  ["components/aws/eks/cluster.ts", "../sdk"],
  ["components/services/argoCd.ts", "../lib/k8s"],
  ["components/lib/k8s.ts", "@pulumi/kubernetes/helm/v3/release"],
];

// A provider's root brings every service's declarations into each type check.
const PROVIDER_ROOTS: [file: string, importFrom: string][] = [
  ["components/gcp/gkeCluster.ts", "@pulumi/gcp"],
  ["components/aws/eks/cluster.ts", "@pulumi/aws"],
  ["stacks/index.ts", "@pulumi/aws"],
  ["policies/rules/gcp/gke.ts", "@pulumi/gcp"],
  ["test/helpers/fixtures.ts", "@pulumi/aws"],
  ["components/services/argoCd.ts", "@pulumi/kubernetes"],
  ["components/lib/helm.ts", "@pulumi/kubernetes/helm/v3"],
  ["components/services/crd.ts", "@pulumi/kubernetes/yaml"],
];

describe("layer boundaries (no-restricted-imports)", () => {
  for (const [file, from] of WRONG_WAY)
    it(`${file} may not import ${from}`, async () => {
      const found = await problems(file, `import { x } from "${from}";\nexport const y = x;\n`);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^no-restricted-imports: /);
    });

  for (const [file, from] of PROVIDER_ROOTS)
    it(`${file} may not import the root of ${from}`, async () => {
      const found = await problems(file, `import { x } from "${from}";\nexport const y = x;\n`);
      expect(found).toEqual([expect.stringMatching(/^no-restricted-imports: .*sdk\.ts/)]);
    });

  for (const [file, from] of RIGHT_WAY)
    it(`${file} may import ${from}`, async () => {
      expect(await problems(file, `import { x } from "${from}";\nexport const y = x;\n`)).toEqual(
        [],
      );
    });

  it("dynamic-import style require of a wrong-way module is caught too (import = require)", async () => {
    const found = await problems(
      "components/services/argoCd.ts",
      `import x = require("../aws/network");\nexport const y = x;\n`,
    );
    expect(found.some((f) => f.startsWith("no-restricted-imports"))).toBe(true);
  });
});

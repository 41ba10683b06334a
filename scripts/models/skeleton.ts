/** Files `models init` writes into a new GitOps repo. */
import { stringify } from "yaml";

export const MODEL_PR_WORKFLOW = `# Required checks for model pull requests: schemas, render drift, strict schemas of every
# rendered object, the platform's policy pack on them, PromQL, promotion order.
# Mark the "verify" job as required in branch protection. "Staging deployment successful"
# is the commit status mlops/staging/<model> that Argo CD notifications set after a sync.
name: model-pr

on:
  pull_request:
    paths: ["models/**", ".github/workflows/model-pr.yml"]

permissions:
  contents: read

jobs:
  verify:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1
        with:
          fetch-depth: 0 # promotion order reads the release files' history
      - name: The platform at a pinned ref (repository variables PLATFORM_REPOSITORY, PLATFORM_REF)
        uses: actions/checkout@34e114876b0b11c390a56381ad16ebd13914f8d5 # v4.3.1
        with:
          repository: \${{ vars.PLATFORM_REPOSITORY }}
          ref: \${{ vars.PLATFORM_REF }}
          path: .platform
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4
        with:
          node-version: 20
          cache: npm
          cache-dependency-path: .platform/package-lock.json
      - run: npm ci
        working-directory: .platform
      - name: models verify
        run: npm run -s models -- verify --repo "$GITHUB_WORKSPACE"
        working-directory: .platform
`;

export function codeowners(mlLeads: string): string {
  return [
    "# Model folders are owned by the owners their model.yaml lists (models scaffold adds them).",
    "# What runs in prod is the ML leads' decision.",
    `/models/*/release-prod.yaml ${mlLeads}`,
    `/.github/ ${mlLeads}`,
    "",
  ].join("\n");
}

export const README = `# ml-deployments

Model releases for the mlops-platform, one folder per model, environments as files:

- \`models/<name>/model.yaml\`: owners, serving image, port, resources, GPU, smoke test, limits.
- \`models/<name>/values-<env>.yaml\`: per-environment overrides.
- \`models/<name>/golden.jsonl\`: labelled examples for the smoke test and the golden comparison.
- \`models/<name>/release-<env>.yaml\`: the pinned release (machine-owned).
- \`models/<name>/rendered/<env>/\`: the manifests Argo CD applies (machine-rendered).

Change them only through the platform's \`npm run models -- scaffold | bump | promote | rollback | render\`
and pull requests; \`model-pr\` verifies every pull request.
`;

/** A new model's model.yaml: the defaults written out, so the owner sees every knob. */
export function modelYaml(m: Record<string, unknown>): string {
  return `# Model ${String(m.name)}: read by \`npm run models -- render\`; schema in the platform's scripts/models/schemas.ts.\n${stringify(m)}`;
}

// Import boundaries between the layers (see README "Layout"). Imports run one way:
//   stacks -> components/platform -> {gcp, aws} -> contracts/model/lib
//   components/platform -> services -> contracts/model/lib
// gcp/ and aws/ never import each other; services/ imports no cloud; nothing in
// components/ imports stacks/, scripts/ or test/; the policy pack imports only pure
// shared definitions (model, contracts, lib/charts), never a component.
// test/lint.test.ts lints planted wrong-way imports against exactly these rules.

/** A relative import (./ or ../, any depth) of one of `dirs` under `base`. Packages never match. */
const relative = (dirs, base = "") => `^\\.\\.?/(\\.\\./)*${base}(${dirs.join("|")})(/|$)`;

/** Everything under components/ obeys this one. */
const program = {
  regex: relative(["stacks", "scripts", "test"]),
  message:
    "components/ must not import the program (stacks/), scripts/ or tests: pass values in as args.",
};

/**
 * Every TypeScript file: a provider's modules, not its root (components/{aws,gcp}/sdk.ts,
 * components/lib/k8s.ts); nor the Kubernetes indexes that import every API group again.
 */
const providerRoots = {
  regex: "^@pulumi/(aws|gcp|kubernetes)$|^@pulumi/kubernetes/(helm|helm/v3|yaml)$",
  message:
    "import the provider's modules through components/aws/sdk.ts, components/gcp/sdk.ts or components/lib/k8s.ts: the package root (and @pulumi/kubernetes' helm/v3 and yaml indexes) brings every service's declarations into each type check (pulumi/pulumi#10442).",
};

// Flat config replaces (does not merge) a rule's options when a later block matches the same
// file, so every block below repeats the components-wide and the provider-root restrictions.
const restrict = (files, regexes, message, extra = [program]) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [...regexes.map((regex) => ({ regex, message })), ...extra, providerRoots],
      },
    ],
  },
});

export const boundaries = [
  restrict(["**/*.ts"], [], "", []),
  restrict(["components/**/*.ts"], [], "", [program]),
  restrict(
    ["components/gcp/**/*.ts"],
    [relative(["aws", "services", "platform"])],
    "gcp/ imports only contracts, model and lib: move what both clouds need there.",
  ),
  restrict(
    ["components/aws/**/*.ts"],
    [relative(["gcp", "services", "platform"])],
    "aws/ imports only contracts, model and lib: move what both clouds need there.",
  ),
  restrict(
    ["components/services/**/*.ts"],
    [relative(["gcp", "aws", "platform"])],
    "services/ is cloud-neutral: read what it needs from the contract (components/contracts.ts).",
  ),
  restrict(
    ["components/lib/**/*.ts", "components/model.ts", "components/contracts.ts"],
    [relative(["gcp", "aws", "services", "platform"])],
    "lib/, model.ts and contracts.ts are the bottom layer: they import nothing of the layers above.",
  ),
  restrict(
    ["policies/**/*.ts"],
    [
      relative(["gcp", "aws", "services", "platform", "lib/helm", "contracts"], "components/"),
      relative(["stacks", "scripts", "test"]),
    ],
    "the policy pack loads on its own and is type-checked on every preview: import only pure shared definitions (components/model, lib/charts, lib/ec2Gpus); contracts.ts pulls in the Kubernetes typings.",
    [],
  ),
];

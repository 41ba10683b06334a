/**
 * The parts of @pulumi/kubernetes the program uses, under the names the package root gives them
 * (`k8s.core.v1.Secret`), imported from their own modules; the Helm release is `k8s.Release`
 * (the root's `helm.v3.Release`), because the `helm/v3` index declares `helm.v3.Chart`, whose
 * types import every API group (yaml/yaml.d.ts).
 *
 * Through the package root a type check of the program holds 666 of its declaration files,
 * through these modules 209 (2,680 files in all against 2,224; `tsc --listFilesOnly`): the
 * runtime's type-checked load of `dev` took 11.7-11.9 s against 13.0-13.5 s (ESLint, no
 * measurable change). The shipped stacks record byte-identical resources either way.
 *
 * At run time these are the objects the root exports. The root's index also loads every API
 * group, registering their resources, and registers the provider package: the SDK uses those
 * registrations only to rebuild a resource or provider reference read back from the engine, and
 * none of the program's resources outputs one (an unregistered reference reads back as its URN
 * or ID: @pulumi/pulumi runtime/rpc.js `deserializeProperty`). ESLint refuses the root import
 * (eslint.boundaries.mjs).
 */
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as core from "@pulumi/kubernetes/core";
export * as networking from "@pulumi/kubernetes/networking";
export * as policy from "@pulumi/kubernetes/policy";
export * as storage from "@pulumi/kubernetes/storage";
export * as types from "@pulumi/kubernetes/types";
export { Provider } from "@pulumi/kubernetes/provider";
export { Release } from "@pulumi/kubernetes/helm/v3/release";

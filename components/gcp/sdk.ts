/**
 * The parts of @pulumi/gcp this layer uses, under the names the package root gives them
 * (`gcp.container.Cluster`), imported from their own modules.
 *
 * The package root's declarations name every Google Cloud service: importing it puts 2,508
 * declaration files in each type check of the program (`tsc`, ESLint, and the runtime's
 * ts-node on every `pulumi up`), where these modules need 785 (pulumi/pulumi#10442;
 * measured with `tsc --extendedDiagnostics`). At run time these are the objects the root
 * exports; what the root adds is registration, of every service's resources and of the provider
 * package, which the SDK uses only to rebuild references read back from the engine (see
 * components/lib/k8s.ts). ESLint refuses the root import (eslint.boundaries.mjs).
 */
export * as compute from "@pulumi/gcp/compute";
export * as container from "@pulumi/gcp/container";
export * as projects from "@pulumi/gcp/projects";
export * as serviceaccount from "@pulumi/gcp/serviceaccount";
export * as servicenetworking from "@pulumi/gcp/servicenetworking";
export * as sql from "@pulumi/gcp/sql";
export * as storage from "@pulumi/gcp/storage";

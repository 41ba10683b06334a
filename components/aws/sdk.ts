/**
 * The parts of @pulumi/aws this layer uses, under the names the package root gives them
 * (`aws.ec2.Vpc`, `aws.getPartitionOutput`), imported from their own modules.
 *
 * The package root's declarations name every AWS service: importing it puts 3,071
 * declaration files in each type check of the program (`tsc`, ESLint, and the runtime's
 * ts-node on every `pulumi up`), where these modules need 896 (pulumi/pulumi#10442;
 * measured with `tsc --extendedDiagnostics`). At run time these are the objects the root
 * exports; what the root adds is registration, of every service's resources and of the provider
 * package, which the SDK uses only to rebuild references read back from the engine (see
 * components/lib/k8s.ts). ESLint refuses the root import (eslint.boundaries.mjs).
 */
export * as autoscaling from "@pulumi/aws/autoscaling";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as codebuild from "@pulumi/aws/codebuild";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as rds from "@pulumi/aws/rds";
export * as s3 from "@pulumi/aws/s3";
export * as vpc from "@pulumi/aws/vpc";
export { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export { getRegionOutput } from "@pulumi/aws/getRegion";

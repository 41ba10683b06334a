/** The compliance frameworks rules cite, with the benchmark versions they were checked against. */
import { cis } from "./rule";

export const gkeCis = (reference: string, specification: string) =>
  cis("CIS GKE Benchmark", "1.5.0", reference, specification);
export const gcpCis = (reference: string, specification: string) =>
  cis("CIS Google Cloud Platform Foundation Benchmark", "2.0.0", reference, specification);
export const eksCis = (reference: string, specification: string) =>
  cis("CIS Amazon EKS Benchmark", "1.5.0", reference, specification);
export const awsCis = (reference: string, specification: string) =>
  cis("CIS AWS Foundations Benchmark", "3.0.0", reference, specification);
export const k8sCis = (reference: string, specification: string) =>
  cis("CIS Kubernetes Benchmark", "1.9.0", reference, specification);

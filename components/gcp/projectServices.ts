/**
 * The Google APIs the platform calls, enabled in the stack so a fresh project
 * works on the first `pulumi up` instead of failing with "API has not been used
 * in project ... or it is disabled" halfway through.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";

/** Each API with the part of the platform that needs it. */
export const REQUIRED_GCP_APIS: Readonly<Record<string, string>> = {
  "compute.googleapis.com": "VPC, subnet, Cloud NAT, the PSA address range",
  "container.googleapis.com": "the GKE cluster and its node pools",
  "sqladmin.googleapis.com": "Cloud SQL for MLflow's database",
  "servicenetworking.googleapis.com": "Private Service Access between the VPC and Cloud SQL",
  "storage.googleapis.com": "the artifact bucket",
  "iam.googleapis.com": "the node and MLflow service accounts",
  "cloudresourcemanager.googleapis.com": "project IAM bindings (node service account roles)",
  // CI: google-github-actions/auth exchanges the GitHub OIDC token through STS,
  // then impersonates the deployer service account through IAM Credentials.
  "sts.googleapis.com": "CI's Workload Identity Federation token exchange",
  "iamcredentials.googleapis.com": "CI's service-account impersonation",
};

export interface GcpProjectServicesArgs {
  project: string;
}

export class GcpProjectServices extends pulumi.ComponentResource {
  public readonly services: gcp.projects.Service[];

  constructor(name: string, args: GcpProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlops:cloud:GcpProjectServices", name, {}, opts);
    this.services = Object.keys(REQUIRED_GCP_APIS).map(
      (service) =>
        new gcp.projects.Service(
          `${name}-${service.split(".")[0]}`,
          {
            project: args.project,
            service,
            // Leave the APIs on at destroy: other workloads in the project may use
            // them, and disabling container/compute with resources left (an
            // abandoned PSA peering) fails (TPG docs, google_project_service).
            disableOnDestroy: false,
            disableDependentServices: false,
          },
          { parent: this },
        ),
    );
    this.registerOutputs({});
  }
}

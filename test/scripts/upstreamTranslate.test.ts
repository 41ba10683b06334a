/** The Terraform -> Pulumi translation the upstream-example tests rely on. */
import { describe, expect, it } from "vitest";
import { terraformToPulumi } from "../../scripts/lib/upstreamExamples";

describe("terraformToPulumi", () => {
  it("a reference inside a list or a nested block is a dependency of the top-level property", async () => {
    const t = await terraformToPulumi(`
resource "aws_security_group" "db" {
  description = "db"
}
resource "aws_db_instance" "db" {
  instance_class         = "db.t3.micro"
  vpc_security_group_ids = [aws_security_group.db.id]
}
resource "aws_codebuild_project" "ci" {
  name         = "ci"
  service_role = "arn:aws:iam::1:role/ci"
  artifacts { type = "NO_ARTIFACTS" }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source { type = "NO_SOURCE" }
  vpc_config {
    security_group_ids = [aws_security_group.db.id]
    subnets            = ["subnet-1"]
    vpc_id             = "vpc-1"
  }
}
`);
    const db = t.items.find((i) => i.name === "aws_db_instance.db")!;
    expect(db.props.vpcSecurityGroupIds).toEqual(["db"]);
    expect(db.propertyDependencies).toEqual({ vpcSecurityGroupIds: ["aws_security_group.db"] });
    const ci = t.items.find((i) => i.name === "aws_codebuild_project.ci")!;
    expect(ci.propertyDependencies).toEqual({ vpcConfig: ["aws_security_group.db"] });
  });

  it("a resource with no Pulumi type is left out, with what it refers to", async () => {
    const t = await terraformToPulumi(`
resource "aws_security_group" "lb" {
  description = "lb"
}
resource "aws_lb" "public" {
  security_groups = [aws_security_group.lb.id]
}
`);
    expect(t.items.map((i) => i.name)).toEqual(["aws_security_group.lb"]);
    expect(t.skipped).toEqual([{ address: "aws_lb.public", refs: ["aws_security_group.lb"] }]);
    expect(t.problems).toContain("aws_lb: no Pulumi type known");
  });
});

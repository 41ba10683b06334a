/**
 * The real stacks with `cloud: aws`, under mocks: every bullet of the AWS
 * cloud layer (network, EKS, node groups, add-ons, RDS, S3, IRSA), the
 * dev/staging/prod differences, and that the cluster layer above it is the
 * one GCP gets.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { EKS_ADDON_VERSIONS } from "../../components/aws/eks/addonVersions";
import { type MockSession, type RecordedResource } from "../../scripts/lib/mocks";
import { recordedStack, runStack, type StackRun } from "../helpers/stack";

const AWS = { "mlops-platform:cloud": "aws", "aws:region": "us-east-1" };

const T = {
  vpc: "aws:ec2/vpc:Vpc",
  subnet: "aws:ec2/subnet:Subnet",
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  routeTable: "aws:ec2/routeTable:RouteTable",
  flowLog: "aws:ec2/flowLog:FlowLog",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
  kmsKey: "aws:kms/key:Key",
  cluster: "aws:eks/cluster:Cluster",
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  accessEntry: "aws:eks/accessEntry:AccessEntry",
  accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  addon: "aws:eks/addon:Addon",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  asgTag: "aws:autoscaling/tag:Tag",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  rds: "aws:rds/instance:Instance",
  paramGroup: "aws:rds/parameterGroup:ParameterGroup",
  subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
  password: "random:index/randomPassword:RandomPassword",
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
  release: "kubernetes:helm.sh/v3:Release",
  k8sProvider: "pulumi:providers:kubernetes",
};

const runs: Record<string, StackRun> = {};

beforeAll(async () => {
  for (const env of ["dev", "staging", "prod"] as const)
    runs[env] = await recordedStack(env, "aws");
}, 120_000);

const parse = (doc: unknown) => (typeof doc === "string" ? JSON.parse(doc) : doc);

describe.each(["dev", "staging", "prod"] as const)("AWS stack %s under mocks", (env) => {
  const run = () => runs[env];
  const one = (type: string, name?: string) => run().one(type, name);
  const named = (type: string, part: string) =>
    run()
      .ofType(type)
      .filter((r) => r.name.includes(part));
  const role = (name: string) => one(T.role, `mlops-${env}-${name}`);
  const gpuGroups = () => named(T.nodeGroup, "-gpu-");
  const privateSubnets = () => named(T.subnet, "-private-");
  const publicSubnets = () => named(T.subnet, "-public-");

  it("registers only AWS and Kubernetes resources, all under MlopsPlatform and named for the env", () => {
    const root = run().one("mlops:index:MlopsPlatform");
    for (const r of run().resources) {
      expect(r.type.startsWith("gcp:"), r.type).toBe(false);
      if (r === root) continue;
      expect(run().ancestors(r).at(-1)?.urn, `${r.type} ${r.name}`).toBe(root.urn);
      expect(r.name.startsWith(`mlops-${env}-`), r.name).toBe(true);
    }
    for (const t of Object.values(T))
      if (t !== T.flowLog) expect(run().ofType(t).length, t).toBeGreaterThan(0);
  });

  it("gives every resource its own URN", () => {
    const urns = run().resources.map((r) => r.urn);
    expect(urns.filter((u, i) => urns.indexOf(u) !== i)).toEqual([]);
  });

  it("uses only the current (non-deprecated) S3 resource types of @pulumi/aws v7", () => {
    const s3 = run().resources.filter((r) => r.type.startsWith("aws:s3/"));
    expect(s3.length).toBe(7);
    expect(s3.filter((r) => /V2:/.test(r.type)).map((r) => r.type)).toEqual([]);
  });

  it("network: VPC over three zones, private and public subnets tagged for load balancers", () => {
    const vpc = one(T.vpc).inputs;
    expect(vpc.cidrBlock).toBe("10.0.0.0/16");
    expect(vpc.enableDnsHostnames).toBe(true);
    const priv = privateSubnets();
    const pub = publicSubnets();
    expect(priv.map((s) => s.inputs.cidrBlock)).toEqual([
      "10.0.0.0/18",
      "10.0.64.0/18",
      "10.0.128.0/18",
    ]);
    expect(pub.map((s) => s.inputs.cidrBlock)).toEqual([
      "10.0.192.0/20",
      "10.0.208.0/20",
      "10.0.224.0/20",
    ]);
    // us-east-1c is use1-az3 in this account, where EKS refuses cluster subnets: skipped.
    expect(priv.map((s) => s.inputs.availabilityZone)).toEqual([
      "us-east-1a",
      "us-east-1b",
      "us-east-1d",
    ]);
    expect(new Set(pub.map((s) => s.inputs.availabilityZone)).size).toBe(3);
    for (const s of priv) expect(s.inputs.tags["kubernetes.io/role/internal-elb"]).toBe("1");
    for (const s of pub) expect(s.inputs.tags["kubernetes.io/role/elb"]).toBe("1");
    for (const s of [...priv, ...pub]) expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
    // CIS AWS 5.4: the default security group has no rules.
    const dsg = one(T.defaultSg).inputs;
    expect(dsg.ingress ?? []).toEqual([]);
    expect(dsg.egress ?? []).toEqual([]);
  });

  it("NAT: one gateway in dev and staging, one per zone in prod; each private subnet routes through one", () => {
    const nats = run().ofType(T.nat);
    expect(nats).toHaveLength(env === "prod" ? 3 : 1);
    expect(run().ofType(T.eip)).toHaveLength(nats.length);
    const natSubnets = nats.map((n) => n.inputs.subnetId);
    const publicIds = publicSubnets().map((s) => s.id);
    for (const id of natSubnets) expect(publicIds).toContain(id);
    const privateTables = named(T.routeTable, "-private-rt-");
    expect(privateTables).toHaveLength(3);
    const used = privateTables.map((t) => t.inputs.routes[0].natGatewayId);
    expect(new Set(used).size).toBe(nats.length);
    for (const t of privateTables) expect(t.inputs.routes[0].cidrBlock).toBe("0.0.0.0/0");
    const s3 = one(T.endpoint).inputs;
    expect(s3.serviceName).toBe("com.amazonaws.us-east-1.s3");
    expect(s3.routeTableIds).toEqual(privateTables.map((t) => t.id));
  });

  it("flow logs (all traffic) only in prod", () => {
    const logs = run().ofType(T.flowLog);
    expect(logs).toHaveLength(env === "prod" ? 1 : 0);
    if (env === "prod") {
      expect(logs[0].inputs.trafficType).toBe("ALL");
      expect(logs[0].inputs.vpcId).toBe(one(T.vpc).id);
    }
  });

  it("EKS: version from config, private endpoint on, public endpoint only from listed CIDRs", () => {
    const c = one(T.cluster).inputs;
    expect(c.name).toBe(`mlops-${env}`);
    expect(c.version).toBe("1.35");
    expect(c.vpcConfig.endpointPrivateAccess).toBe(true);
    expect(c.vpcConfig.endpointPublicAccess).toBe(true);
    expect(c.vpcConfig.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
    expect(c.vpcConfig.subnetIds).toEqual(privateSubnets().map((s) => s.id));
    expect(c.kubernetesNetworkConfig.serviceIpv4Cidr).toBe("10.24.0.0/20");
    expect(c.deletionProtection).toBe(env !== "dev");
    expect(c.bootstrapSelfManagedAddons).toBe(false);
  });

  it("EKS: Secrets encrypted with a rotating KMS key, all control-plane logs incl. audit", () => {
    const c = one(T.cluster).inputs;
    const key = one(T.kmsKey, `mlops-${env}-cluster-secrets`);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(c.encryptionConfig).toEqual({
      resources: ["secrets"],
      provider: { keyArn: key.state.arn },
    });
    expect(c.enabledClusterLogTypes).toEqual(
      expect.arrayContaining(["api", "audit", "authenticator"]),
    );
  });

  it("EKS: API authentication mode; the deployer gets an explicit cluster-admin access entry", () => {
    const c = one(T.cluster).inputs;
    expect(c.accessConfig).toEqual({
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: false,
    });
    const entries = run().ofType(T.accessEntry);
    expect(entries.map((e) => e.inputs.principalArn)).toEqual([
      "arn:aws:iam::123456789012:role/ci-deployer",
    ]);
    const policy = one(T.accessPolicy).inputs;
    expect(policy.policyArn).toBe(
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    );
    expect(policy.accessScope).toEqual({ type: "cluster" });
    // The Kubernetes provider waits until the deployer may use the API.
    const deps = run().transitiveDependencies(one(T.k8sProvider));
    expect(deps.has(one(T.accessPolicy).urn)).toBe(true);
  });

  it("IRSA: an OIDC provider for the cluster's issuer, audience STS", () => {
    const oidc = one(T.oidc).inputs;
    expect(oidc.url).toBe("https://oidc.eks.us-east-1.amazonaws.com/id/ABC");
    expect(oidc.clientIdLists).toEqual(["sts.amazonaws.com"]);
  });

  it("managed add-ons pinned for 1.35; EBS CSI and VPC CNI have their own IRSA roles", () => {
    const addons: Record<string, RecordedResource> = Object.fromEntries(
      run()
        .ofType(T.addon)
        .map((a) => [a.inputs.addonName, a]),
    );
    expect(Object.keys(addons).sort()).toEqual([
      "aws-ebs-csi-driver",
      "coredns",
      "kube-proxy",
      "vpc-cni",
    ]);
    for (const [n, a] of Object.entries(addons))
      expect(a.inputs.addonVersion).toBe(EKS_ADDON_VERSIONS["1.35"][n as "coredns"]);
    const trustSub = (r: RecordedResource) =>
      Object.values(parse(r.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals);
    expect(addons["aws-ebs-csi-driver"].inputs.serviceAccountRoleArn).toBe(
      role("cluster-ebs-csi").state.arn,
    );
    expect(trustSub(role("cluster-ebs-csi"))).toContain(
      "system:serviceaccount:kube-system:ebs-csi-controller-sa",
    );
    expect(addons["vpc-cni"].inputs.serviceAccountRoleArn).toBe(role("cluster-vpc-cni").state.arn);
    expect(parse(addons["vpc-cni"].inputs.configurationValues)).toEqual({
      enableNetworkPolicy: "true",
    });
    // CoreDNS and the EBS CSI driver need a node; the CNI must come before nodes.
    const system = one(T.nodeGroup, `mlops-${env}-cluster-system`);
    expect(run().transitiveDependencies(addons.coredns).has(system.urn)).toBe(true);
    expect(run().transitiveDependencies(addons["aws-ebs-csi-driver"]).has(system.urn)).toBe(true);
    expect(run().transitiveDependencies(system).has(addons["vpc-cni"].urn)).toBe(true);
  });

  it("default StorageClass: encrypted gp3 through the EBS CSI driver (volumes kept in prod)", () => {
    const sc = one(T.storageClass).inputs;
    expect(sc.metadata.name).toBe("gp3");
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    expect(sc.provisioner).toBe("ebs.csi.aws.com");
    expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    expect(sc.reclaimPolicy).toBe(env === "prod" ? "Retain" : "Delete");
  });

  it("system node group: AL2023, on-demand, labelled, no SSH", () => {
    const sys = one(T.nodeGroup, `mlops-${env}-cluster-system`).inputs;
    expect(sys.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(sys.capacityType).toBe("ON_DEMAND");
    expect(sys.labels).toEqual({ "mlops.dev/pool": "system" });
    expect(sys.remoteAccess).toBeUndefined();
    expect(sys.scalingConfig.minSize).toBe(env === "prod" ? 2 : 1);
  });

  it("GPU node groups: L4 -> g6, AL2023 NVIDIA AMI, GPU taint, labels; dev/staging scale from 0 on spot", () => {
    const [g] = gpuGroups();
    expect(gpuGroups()).toHaveLength(1);
    expect(g.inputs.amiType).toBe("AL2023_x86_64_NVIDIA");
    expect(g.inputs.instanceTypes).toEqual(["g6.2xlarge"]);
    expect(g.inputs.taints).toEqual([
      { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" },
    ]);
    expect(g.inputs.labels).toEqual({
      "mlops.dev/pool": "l4",
      "mlops.dev/gpu": "l4",
      // cluster-autoscaler's AWS GPU label: it waits for the GPUs instead of adding nodes.
      "k8s.amazonaws.com/accelerator": "nvidia-l4",
    });
    expect(g.inputs.remoteAccess).toBeUndefined();
    expect(g.inputs.capacityType).toBe(env === "prod" ? "ON_DEMAND" : "SPOT");
    expect(g.inputs.scalingConfig.minSize).toBe(env === "prod" ? 1 : 0);
    expect(g.inputs.scalingConfig.maxSize).toBe({ dev: 2, staging: 4, prod: 8 }[env]);
  });

  it("scale from zero: node-template tags on the GPU group's Auto Scaling group", () => {
    const tags: Record<string, any> = Object.fromEntries(
      run()
        .ofType(T.asgTag)
        .map((t) => [t.inputs.tag.key, t.inputs]),
    );
    const p = "k8s.io/cluster-autoscaler/node-template";
    expect(tags[`${p}/label/mlops.dev/pool`].tag.value).toBe("l4");
    // The same label as a node-template tag, so a group scaled to zero is known to bring GPUs.
    expect(tags[`${p}/label/k8s.amazonaws.com/accelerator`].tag.value).toBe("nvidia-l4");
    expect(tags[`${p}/label/mlops.dev/gpu`].tag.value).toBe("l4");
    expect(tags[`${p}/taint/nvidia.com/gpu`].tag.value).toBe("present:NoSchedule");
    expect(tags[`${p}/resources/nvidia.com/gpu`].tag.value).toBe("1");
    const [g] = gpuGroups();
    for (const t of Object.values(tags))
      expect(t.autoscalingGroupName).toBe(g.state.resources[0].autoscalingGroups[0].name);
    expect(g.inputs.tags[`k8s.io/cluster-autoscaler/mlops-${env}`]).toBe("owned");
  });

  it("launch templates: IMDSv2 required with hop limit 1, encrypted gp3 root, no key pair, node SGs", () => {
    const lts = run().ofType(T.launchTemplate);
    expect(lts).toHaveLength(2);
    const nodeSg = one(T.sg, `mlops-${env}-network-nodes`);
    for (const lt of lts) {
      expect(lt.inputs.metadataOptions).toMatchObject({
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
      });
      expect(lt.inputs.keyName).toBeUndefined();
      expect(lt.inputs.blockDeviceMappings[0].ebs).toMatchObject({
        volumeType: "gp3",
        encrypted: "true",
      });
      expect(lt.inputs.vpcSecurityGroupIds).toEqual(["sg-cluster", nodeSg.id]);
    }
    for (const ng of run().ofType(T.nodeGroup)) {
      const lt = lts.find((l) => l.id === ng.inputs.launchTemplate.id);
      expect(lt, ng.name).toBeDefined();
    }
  });

  it("kubeconfig is a secret using `aws eks get-token`; the k8s provider uses it", async () => {
    const kubeconfig = run().exports.kubeconfig;
    expect(kubeconfig.secret).toBe(true);
    const doc = JSON.parse(kubeconfig.value as string);
    const exec = doc.users[0].user.exec;
    expect(exec.command).toBe("aws");
    expect(exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      `mlops-${env}`,
      "--region",
      "us-east-1",
      "--output",
      "json",
    ]);
    expect(doc.clusters[0].cluster.server).toBe("https://ABC.gr7.us-east-1.eks.amazonaws.com");
    expect(one(T.k8sProvider).secretPaths).toContain("kubeconfig");
  });

  it("the cluster layer installs the NVIDIA device plugin (tolerating the GPU taint) and cluster-autoscaler runs with IRSA", () => {
    const releases = Object.fromEntries(
      run()
        .ofType(T.release)
        .map((r) => [r.inputs.name, r.inputs]),
    );
    expect(releases["nvidia-device-plugin"].values.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    const ca = releases["cluster-autoscaler"];
    expect(ca.version).toBe("9.50.1");
    expect(ca.values.autoDiscovery.clusterName).toBe(`mlops-${env}`);
    expect(ca.values.image.tag).toBe("v1.35.0");
    expect(ca.values.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toBe(
      role("cluster-cluster-autoscaler").state.arn,
    );
    const policy = parse(
      one(T.rolePolicy, `mlops-${env}-cluster-cluster-autoscaler`).inputs.policy,
    );
    const scale = policy.Statement.find((s: any) => s.Sid === "ScaleOwnedGroups");
    expect(scale.Condition.StringEquals).toEqual({
      [`aws:ResourceTag/k8s.io/cluster-autoscaler/mlops-${env}`]: "owned",
    });
  });

  it("RDS: PostgreSQL >= 15 in private subnets, not public, KMS-encrypted, Performance Insights", () => {
    const db = one(T.rds).inputs;
    expect(db.engine).toBe("postgres");
    expect(Number(db.engineVersion)).toBeGreaterThanOrEqual(15);
    expect(db.publiclyAccessible).toBe(false);
    expect(one(T.subnetGroup).inputs.subnetIds).toEqual(privateSubnets().map((s) => s.id));
    expect(db.dbSubnetGroupName).toBe(one(T.subnetGroup).state.name);
    const key = one(T.kmsKey, `mlops-${env}-tracking-mlflow-db`);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(db.storageEncrypted).toBe(true);
    expect(db.kmsKeyId).toBe(key.state.arn);
    expect(db.performanceInsightsEnabled).toBe(true);
    expect(db.performanceInsightsKmsKeyId).toBe(key.state.arn);
    expect(db.instanceClass).toBe(
      { dev: "db.t4g.medium", staging: "db.m7g.large", prod: "db.m7g.xlarge" }[env],
    );
  });

  it("RDS: admits 5432 only from the nodes' security group", () => {
    const dbSg = one(T.sg, `mlops-${env}-tracking-pg`);
    expect(one(T.rds).inputs.vpcSecurityGroupIds).toEqual([dbSg.id]);
    const rules = run()
      .ofType(T.ingress)
      .filter((r) => r.inputs.securityGroupId === dbSg.id);
    expect(rules).toHaveLength(1);
    expect(rules[0].inputs).toMatchObject({
      referencedSecurityGroupId: one(T.sg, `mlops-${env}-network-nodes`).id,
      ipProtocol: "tcp",
      fromPort: 5432,
      toPort: 5432,
    });
    expect(rules[0].inputs.cidrIpv4).toBeUndefined();
    expect(dbSg.inputs.ingress ?? []).toEqual([]);
  });

  it("RDS: TLS forced by its parameter group", () => {
    const pg = one(T.paramGroup).inputs;
    expect(pg.family).toBe("postgres16");
    expect(pg.parameters).toContainEqual(
      expect.objectContaining({ name: "rds.force_ssl", value: "1" }),
    );
    expect(one(T.rds).inputs.parameterGroupName).toBe(one(T.paramGroup).state.name);
  });

  it("RDS: backups >= 7 days (prod 30); prod Multi-AZ, deletion protection and a final snapshot", () => {
    const db = one(T.rds).inputs;
    expect(db.backupRetentionPeriod).toBe({ dev: 7, staging: 14, prod: 30 }[env]);
    expect(db.multiAz).toBe(env === "prod");
    expect(db.deletionProtection).toBe(env !== "dev");
    expect(db.skipFinalSnapshot).toBe(env === "dev");
    if (env !== "dev")
      expect(db.finalSnapshotIdentifier).toBe(`mlops-${env}-mlflow-final-snapshot`);
  });

  it("RDS: the password is a generated secret, never a literal", () => {
    const pw = one(T.password, `mlops-${env}-tracking-db-password`);
    expect(pw.inputs.length).toBeGreaterThanOrEqual(32);
    const db = one(T.rds);
    expect(db.secretPaths).toContain("password");
    expect(db.inputs.password).toBe(pw.state.result);
  });

  it("S3: versioned, keep-10 lifecycle, public access blocked, ACLs off, SSE-KMS with bucket key, TLS only", () => {
    const bucket = one(T.bucket);
    const id = bucket.id;
    expect(bucket.inputs.forceDestroy).toBe(env === "dev");
    expect(bucket.inputs.tags.environment).toBe(env);
    expect(one(T.versioning).inputs).toMatchObject({
      bucket: id,
      versioningConfiguration: { status: "Enabled" },
    });
    const rules = one(T.lifecycle).inputs.rules;
    expect(one(T.lifecycle).inputs.bucket).toBe(id);
    expect(rules[0]).toMatchObject({
      status: "Enabled",
      noncurrentVersionExpiration: { newerNoncurrentVersions: 10 },
    });
    expect(one(T.pab).inputs).toEqual({
      bucket: id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(T.ownership).inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    const key = one(T.kmsKey, `mlops-${env}-tracking-mlflow-artifacts`);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(one(T.sse).inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: key.state.arn,
        },
        bucketKeyEnabled: true,
      },
    ]);
    const policy = parse(one(T.bucketPolicy).inputs.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  it("MLflow's IAM role: only mlflow/mlflow may assume it; it may list the bucket and read/write/delete its objects, nothing more", () => {
    const r = role("tracking-mlflow");
    const trust = parse(r.inputs.assumeRolePolicy).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(trust[0].Principal.Federated).toBe(one(T.oidc).state.arn);
    expect(trust[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:mlflow:mlflow",
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    });
    const attached = run()
      .ofType(T.attachment)
      .filter((a) => a.inputs.role === r.state.name);
    expect(attached).toEqual([]);
    const policies = run()
      .ofType(T.rolePolicy)
      .filter((p) => p.inputs.role === r.state.name);
    expect(policies).toHaveLength(1);
    const bucketArn = one(T.bucket).state.arn;
    const keyArn = one(T.kmsKey, `mlops-${env}-tracking-mlflow-artifacts`).state.arn;
    expect(parse(policies[0].inputs.policy).Statement).toEqual([
      { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
      {
        Sid: "ObjectReadWrite",
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:PutObject",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
        ],
        Resource: `${bucketArn}/*`,
      },
      {
        Sid: "BucketKeyViaS3",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
    // The MLflow ServiceAccount carries the role; the server writes to s3://.
    const sa = one("kubernetes:core/v1:ServiceAccount");
    expect(sa.inputs.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": r.state.arn });
    const dep = one("kubernetes:apps/v1:Deployment");
    expect(dep.inputs.spec.template.spec.containers[0].args).toContain(
      `--artifacts-destination=s3://${one(T.bucket).state.bucket}/mlflow`,
    );
  });

  it("prod protects cluster, database, bucket and KMS keys; other envs protect nothing", () => {
    const protectedTypes = run()
      .resources.filter((r) => r.protect)
      .map((r) => r.type)
      .sort();
    expect(protectedTypes).toEqual(
      env === "prod" ? [T.cluster, T.kmsKey, T.kmsKey, T.kmsKey, T.rds, T.bucket].sort() : [],
    );
  });

  it("the database and the bucket do not wait for the cluster", () => {
    const clusterSide = (r: RecordedResource) =>
      run()
        .ancestors(r)
        .some((a) => a.type === "mlops:cluster:EksGpuCluster");
    for (const r of [one(T.rds), one(T.bucket)]) {
      const waits = [...run().transitiveDependencies(r)]
        .map((u) => run().byUrn(u))
        .filter((d): d is RecordedResource => !!d && clusterSide(d));
      expect(
        waits.map((d) => d.name),
        r.name,
      ).toEqual([]);
    }
  });

  it("exports the cluster name, bucket and RDS endpoint", async () => {
    const e = run().exports;
    expect(e.cloud.value).toBe("aws");
    expect(e.clusterName.value).toBe(`mlops-${env}`);
    expect(e.artifactBucket.value).toBe(one(T.bucket).state.bucket);
    expect(e.databaseConnectionName.value).toBe(one(T.rds).state.endpoint);
  });
});

describe("the cluster layer is the same on both clouds", () => {
  /** Resources under the ClusterLayer, by type and name without the env prefix. */
  const layer = (run: MockSession) => {
    const root = run.one("mlops:cluster:ClusterLayer");
    return run.resources
      .filter((r) => run.ancestors(r).some((a) => a.urn === root.urn))
      .map((r) => `${r.type} ${r.name}`)
      .sort();
  };

  it("registers the same resources as on GCP, plus the device plugin EKS needs (DCGM runs on both)", async () => {
    const gcp = await recordedStack("prod");
    const aws = layer(runs.prod);
    const extra = aws.filter((r) => !layer(gcp).includes(r));
    expect(layer(gcp).filter((r) => !aws.includes(r))).toEqual([]);
    expect(extra).toEqual(["kubernetes:helm.sh/v3:Release mlops-prod-services-gpu-device-plugin"]);
  });

  it("EKS: DCGM exporter without host driver mounts (the toolkit injects the driver); kube-proxy scraped; metrics-server installed", () => {
    const releases = runs.prod.ofType(T.release);
    const dcgm = releases.find((r) => r.inputs.chart === "dcgm-exporter")!;
    expect(dcgm.inputs.values.extraHostVolumes).toBeUndefined();
    expect(dcgm.inputs.values.securityContext).toBeUndefined();
    const kps = releases.find((r) => r.inputs.chart === "kube-prometheus-stack")!;
    expect(kps.inputs.values.kubeProxy.enabled).toBe(true);
    const ms = releases.find((r) => r.inputs.chart === "metrics-server")!;
    expect(ms.inputs).toMatchObject({ version: "3.13.1", namespace: "kube-system" });
    expect(ms.inputs.repositoryOpts.repo).toBe("https://kubernetes-sigs.github.io/metrics-server");
    expect(ms.inputs.values.replicas).toBe(2);
    expect(ms.inputs.values.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });

  it("every in-cluster resource of the layer goes through the EKS cluster's provider", () => {
    const run = runs.prod;
    const provider = run.one(T.k8sProvider);
    const root = run.one("mlops:cluster:ClusterLayer");
    const custom = run.resources.filter(
      (r) => r.type.startsWith("kubernetes:") && run.ancestors(r).some((a) => a.urn === root.urn),
    );
    expect(custom.length).toBeGreaterThan(10);
    for (const r of custom) expect(r.provider.startsWith(provider.urn), r.name).toBe(true);
  });
});

describe("AWS stack differences driven by config", () => {
  it("admin principals get access entries; privateEndpoint turns the public endpoint off", async () => {
    const run = await runStack("staging", {
      ...AWS,
      "mlops-platform:cluster": {
        privateEndpoint: true,
        authorizedNetworks: [],
        adminPrincipals: ["arn:aws:iam::123456789012:role/platform-admins"],
      },
    });
    const c = run.one(T.cluster).inputs;
    expect(c.vpcConfig.endpointPublicAccess).toBe(false);
    expect(c.vpcConfig.publicAccessCidrs).toBeUndefined();
    expect(
      run
        .ofType(T.accessEntry)
        .map((e) => e.inputs.principalArn)
        .sort(),
    ).toEqual([
      "arn:aws:iam::123456789012:role/ci-deployer",
      "arn:aws:iam::123456789012:role/platform-admins",
    ]);
    expect(run.ofType(T.accessPolicy)).toHaveLength(2);
  });

  it("the deployer comes from config, not from whoever previews; viewers get read access for refresh", async () => {
    const deployRole = "arn:aws:iam::123456789012:role/github-deploy";
    const previewRole = "arn:aws:iam::123456789012:role/github-preview";
    const run = await runStack("staging", {
      ...AWS,
      "mlops-platform:cluster": {
        authorizedNetworks: [{ name: "vpn", cidr: "198.18.0.0/24" }],
        deployerPrincipal: deployRole,
        viewerPrincipals: [previewRole],
      },
    });
    const grants = Object.fromEntries(
      run.ofType(T.accessPolicy).map((a) => [a.inputs.principalArn, a.inputs]),
    );
    // The caller in the mocks is ci-deployer: it must not appear when the deployer is configured.
    expect(Object.keys(grants).sort()).toEqual([deployRole, previewRole]);
    expect(grants[deployRole].policyArn).toMatch(/\/AmazonEKSClusterAdminPolicy$/);
    expect(grants[previewRole].policyArn).toMatch(/\/AmazonEKSAdminViewPolicy$/);
    expect(grants[previewRole].accessScope).toEqual({ type: "cluster" });
    // Same logical name as the caller-derived entry, so adding deployerPrincipal later keeps the URN.
    expect(run.ofType(T.accessEntry).map((e) => e.name)).toContain(
      "mlops-staging-cluster-admin-deployer",
    );
  });

  it("a principal in two of deployerPrincipal/adminPrincipals/viewerPrincipals is refused by key", async () => {
    const role = "arn:aws:iam::123456789012:role/github-deploy";
    await expect(
      runStack("staging", {
        ...AWS,
        "mlops-platform:cluster": {
          authorizedNetworks: [{ name: "vpn", cidr: "198.18.0.0/24" }],
          deployerPrincipal: role,
          viewerPrincipals: [role],
        },
      }),
    ).rejects.toThrow(/mlops-platform:cluster\.viewerPrincipals\[0\]: .*listed twice/);
  });

  it("an A10G pool with an explicit instance type and zone lands on that type in that zone's subnet only", async () => {
    const run = await runStack("dev", {
      ...AWS,
      "mlops-platform:gpuPools": [
        {
          name: "a10g",
          gpu: "a10g",
          gpusPerNode: 1,
          machineType: "g5.4xlarge",
          zones: ["us-east-1b"],
          maxNodes: 2,
          spot: true,
        },
      ],
    });
    const ng = run.ofType(T.nodeGroup).find((g) => g.name.includes("-gpu-a10g"));
    expect(ng?.inputs.instanceTypes).toEqual(["g5.4xlarge"]);
    const zoneB = run
      .ofType(T.subnet)
      .find((s) => s.name.includes("-private-") && s.inputs.availabilityZone === "us-east-1b");
    expect(ng?.inputs.subnetIds).toEqual([zoneB?.id]);
  });

  it("add-on version overrides reach the add-ons; a version without pins is refused before anything registers", async () => {
    const run = await runStack("dev", {
      ...AWS,
      "mlops-platform:cluster": {
        authorizedNetworks: [{ name: "vpn", cidr: "203.0.113.0/24" }],
        addonVersions: { coredns: "v1.12.4-eksbuild.40" },
      },
    });
    const coredns = run.ofType(T.addon).find((a) => a.inputs.addonName === "coredns");
    expect(coredns?.inputs.addonVersion).toBe("v1.12.4-eksbuild.40");

    await expect(
      runStack("dev", {
        ...AWS,
        "mlops-platform:cluster": {
          kubernetesVersion: "1.29",
          authorizedNetworks: [{ name: "vpn", cidr: "203.0.113.0/24" }],
        },
      }),
    ).rejects.toThrow(/cluster\.kubernetesVersion: 1\.29 has no pinned EKS add-on versions/);
  });
});

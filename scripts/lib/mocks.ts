/**
 * The one Pulumi mocks helper every test uses.
 *
 * - `newResource` returns the inputs plus the computed outputs our code reads
 *   (ids, names, endpoints, CA data, emails, ARNs...), so dependent resources see
 *   realistic values.
 * - `call` answers the invokes we know and throws for any other token, so a new
 *   invoke can't silently return nothing.
 * - The mock monitor's `registerResource` is wrapped to record what `newResource`
 *   never sees: parent URN, `dependsOn` URNs, `protect`, and which input paths
 *   were secret. Tests and the offline policy check read that recording.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/** pulumi's wire signature for a secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  urn: string;
  /** Physical id the mock returned. */
  id: string;
  type: string;
  name: string;
  custom: boolean;
  /** Inputs with secrets unwrapped to plain values (as the policy engine sees them). */
  inputs: Record<string, any>;
  /** The state the mock returned (inputs + computed outputs). */
  state: Record<string, any>;
  parent: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  /** Resource options that decide what a real `pulumi up` does on change and destroy. */
  ignoreChanges: string[];
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  /** The `import` option: the cloud ID adopted on create ("" when none). */
  importId: string;
  provider: string;
  /** Dotted paths of inputs that were secret Outputs. */
  secretPaths: string[];
}

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Computed outputs per resource type: what the cloud would fill in after create. */
function computedOutputs(
  type: string,
  name: string,
  inputs: Record<string, any>,
): Record<string, any> {
  const n = inputs.name ?? `${name}-mock`;
  switch (type) {
    case "gcp:container/cluster:Cluster":
      return {
        name: n,
        endpoint: "34.0.0.1",
        controlPlaneEndpointsConfig: {
          ...(inputs.controlPlaneEndpointsConfig ?? {}),
          dnsEndpointConfig: {
            ...(inputs.controlPlaneEndpointsConfig?.dnsEndpointConfig ?? {}),
            // Output only, always present: "uid.<location>.gke.goog" (container v1 API, DNSEndpointConfig).
            endpoint: `gke-0123456789abcdef0123456789abcdef-123456789012.${inputs.location}.gke.goog`,
          },
        },
        masterAuth: { ...(inputs.masterAuth ?? {}), clusterCaCertificate: "Q0EtQ0VSVA==" },
        selfLink: `https://container.googleapis.com/v1/projects/p/locations/r/clusters/${n}`,
      };
    case "gcp:serviceaccount/account:Account":
      return {
        email: `${inputs.accountId}@mock-project.iam.gserviceaccount.com`,
        name: `projects/mock-project/serviceAccounts/${inputs.accountId}@mock-project.iam.gserviceaccount.com`,
        member: `serviceAccount:${inputs.accountId}@mock-project.iam.gserviceaccount.com`,
      };
    case "gcp:sql/databaseInstance:DatabaseInstance":
      return {
        name: n,
        connectionName: `mock-project:region:${n}`,
        privateIpAddress: "10.100.0.3",
        selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/p/instances/${n}`,
      };
    case "gcp:compute/network:Network":
    case "gcp:compute/subnetwork:Subnetwork":
    case "gcp:compute/globalAddress:GlobalAddress":
    case "gcp:compute/router:Router":
      return {
        name: n,
        selfLink: `https://www.googleapis.com/compute/v1/projects/p/global/${type}/${n}`,
        id: n,
      };
    case "gcp:storage/bucket:Bucket":
      return { name: n, url: `gs://${n}` };
    case "random:index/randomPassword:RandomPassword":
      return { result: "mock-password-0123456789abcdefghij" };
    case "aws:eks/cluster:Cluster":
      return {
        name: n,
        endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com",
        certificateAuthority: { data: "Q0EtQ0VSVA==" },
        arn: `arn:aws:eks:us-east-1:123456789012:cluster/${n}`,
        identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC" }] }],
        vpcConfig: { ...(inputs.vpcConfig ?? {}), clusterSecurityGroupId: "sg-cluster" },
      };
    case "aws:eks/nodeGroup:NodeGroup":
      return {
        arn: `arn:aws:eks:us-east-1:123456789012:nodegroup/${name}`,
        resources: [{ autoscalingGroups: [{ name: `eks-${name}-asg` }] }],
      };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return {
        arn: `arn:aws:ec2:us-east-1:123456789012:launch-template/${name}`,
        latestVersion: 1,
      };
    case "aws:iam/role:Role":
      return { name: `${name}-mock`, arn: `arn:aws:iam::123456789012:role/${name}-mock` };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return {
        arn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
      };
    case "aws:kms/key:Key":
      return {
        arn: `arn:aws:kms:us-east-1:123456789012:key/${name}-mock`,
        keyId: `${name}-mock`,
      };
    case "aws:s3/bucket:Bucket":
      return { bucket: `${name}-mock`, arn: `arn:aws:s3:::${name}-mock` };
    case "aws:rds/instance:Instance":
      return {
        address: `${name}.abc.us-east-1.rds.amazonaws.com`,
        endpoint: `${name}.abc.us-east-1.rds.amazonaws.com:5432`,
        arn: `arn:aws:rds:us-east-1:123456789012:db:${name}`,
      };
    default:
      return { name: n, arn: `arn:aws:mock:::${type}/${name}` };
  }
}

/** Replaces wire-format secret envelopes with their plain values (as the policy engine sees them). */
export function unwrapSecrets(value: unknown): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj.value);
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** Dotted paths of secret values in a raw (serialized) property struct. */
function secretPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return [prefix || "."];
  return Object.entries(obj).flatMap(([k, v]) => secretPaths(v, prefix ? `${prefix}.${k}` : k));
}

export interface MockSession {
  /** Every resource registered so far, in registration order. */
  resources: RecordedResource[];
  /** Every invoke token the program called (data sources), once each. */
  invokes: Set<string>;
  /** Resources of a type, optionally filtered by logical name. */
  ofType(type: string, name?: string): RecordedResource[];
  /** The single resource of a type and name; throws if there isn't exactly one. */
  one(type: string, name?: string): RecordedResource;
  byUrn(urn: string): RecordedResource | undefined;
  /** URN chain from a resource up to the stack root (excluded). */
  ancestors(r: RecordedResource): RecordedResource[];
  /** Every resource below the component named `name`, at any depth. */
  descendantsOf(name: string): RecordedResource[];
  /** Every resource `r` waits on: explicit dependsOn, property deps, and theirs, transitively. */
  transitiveDependencies(r: RecordedResource): Set<string>;
}

/** Invokes the program may make, keyed by token. */
const INVOKES: Record<string, (inputs: any) => Record<string, unknown>> = {
  "gcp:organizations/getClientConfig:getClientConfig": () => ({
    project: "mock-project",
    region: "us-central1",
  }),
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": () => ({
    emailAddress: "service-123@gs-project-accounts.iam.gserviceaccount.com",
  }),
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: "123456789012",
    arn: "arn:aws:sts::123456789012:assumed-role/ci-deployer/pulumi-session",
    userId: "AROAMOCK:pulumi-session",
  }),
  "aws:iam/getSessionContext:getSessionContext": (inputs) => ({
    arn: inputs.arn,
    issuerArn: String(inputs.arn).replace(
      /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/,
      "arn:aws:iam::$1:role/$2",
    ),
    issuerName: "ci-deployer",
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "aws:index/getRegion:getRegion": () => ({ name: "us-east-1", region: "us-east-1" }),
  // us-east-1 as one account sees it (names map to IDs per account); honours excludeZoneIds as EC2 does.
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
    const all: [string, string][] = [
      ["us-east-1a", "use1-az6"],
      ["us-east-1b", "use1-az1"],
      ["us-east-1c", "use1-az3"],
      ["us-east-1d", "use1-az2"],
      ["us-east-1e", "use1-az4"],
    ];
    const excluded = new Set<string>(inputs.excludeZoneIds ?? []);
    const kept = all.filter(([, id]) => !excluded.has(id));
    return { names: kept.map(([n]) => n), zoneIds: kept.map(([, id]) => id) };
  },
};

/**
 * Where Pulumi captures a stack for every resource and every internal promise: the resource's
 * source position for the engine (`Resource.callsites`, @pulumi/pulumi resource.js) and a debug
 * trace on each promise (`debuggablePromise`, runtime/debuggable.js). Both read `new Error().stack`
 * at once.
 */
const PULUMI_STACK_CAPTURE = /[\\/]@pulumi[\\/]pulumi[\\/](resource|runtime[\\/]debuggable)\.js$/;

/** Frames kept in a plain capture: Pulumi's own few plus the caller's source position. */
const PLAIN_FRAMES = 8;

/**
 * Under ts-node (source-map-support) or vitest, every `.stack` is mapped back to the TypeScript
 * through source maps: profiled, about a quarter of a stack's run under mocks went there, for
 * positions the mock monitor never reads (and `Resource.callsites` lifts the depth limit, so
 * each capture formats the whole async stack). Those two captures get V8's own format, their
 * first frames only (positions in the emitted JavaScript); every other error keeps the mapped
 * trace. Idempotent.
 */
export function plainPulumiStackCaptures(): void {
  type Prepare = NonNullable<typeof Error.prepareStackTrace> & { plainForPulumi?: true };
  const mapped = Error.prepareStackTrace as Prepare | undefined;
  if (!mapped || mapped.plainForPulumi) return;
  const prepare: Prepare = (error, callsites) =>
    PULUMI_STACK_CAPTURE.test(callsites[0]?.getFileName() ?? "")
      ? `${String(error)}${callsites
          .slice(0, PLAIN_FRAMES)
          .map((c) => `\n    at ${String(c)}`)
          .join("")}`
      : mapped(error, callsites);
  prepare.plainForPulumi = true;
  Error.prepareStackTrace = prepare;
}

/**
 * Installs mocks for a project/stack and returns a live recording. Call once per
 * test file (setMocks is process-global), or per stack with `vi.resetModules()`.
 */
export async function installMocks(opts: {
  stack: string;
  project?: string;
  config?: Record<string, string>;
  preview?: boolean;
}): Promise<MockSession> {
  const project = opts.project ?? "mlops-platform";
  plainPulumiStackCaptures();
  const resources: RecordedResource[] = [];
  const invokes = new Set<string>();
  const pending = new Map<string, Partial<RecordedResource>>();

  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state = { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) };
        const id = args.inputs.name ?? `${args.name}-id`;
        pending.set(`${args.type}::${args.name}`, { inputs: args.inputs, state });
        return { id: String(id), state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        invokes.add(args.token);
        const f = INVOKES[args.token];
        if (!f)
          throw new Error(`mocks: unknown invoke ${args.token}; add it to scripts/lib/mocks.ts`);
        return f(args.inputs);
      },
    },
    project,
    opts.stack,
    opts.preview ?? false,
  );

  // Replaces the whole config, so a session never sees an earlier session's keys.
  pulumi.runtime.setAllConfig(opts.config ?? {}, []);

  const monitor = pulumi.runtime.getMonitor() as any;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
    original(req, (err: any, resp: any) => {
      if (!err && resp) {
        const type = req.getType();
        const name = req.getName();
        const seen = pending.get(`${type}::${name}`) ?? {};
        const propDeps: Record<string, string[]> = {};
        req
          .getPropertydependenciesMap()
          .forEach((v: any, k: string) => (propDeps[k] = v.getUrnsList()));
        const rec: RecordedResource = {
          urn: resp.getUrn(),
          id: resp.getId(),
          type,
          name,
          custom: req.getCustom(),
          inputs: unwrapSecrets(seen.inputs ?? {}),
          state: unwrapSecrets(seen.state ?? {}),
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          propertyDependencies: propDeps,
          protect: req.getProtect() === true,
          ignoreChanges: req.getIgnorechangesList(),
          retainOnDelete: req.getRetainondelete() === true,
          deleteBeforeReplace: req.getDeletebeforereplace() === true,
          importId: req.getImportid() ?? "",
          provider: req.getProvider(),
          secretPaths: secretPaths(req.getObject()?.toJavaScript()),
        };
        resources.push(rec);
      }
      callback(err, resp);
    });
  };

  return sessionOver(resources, invokes);
}

/**
 * The queries tests make over a recording: live (installMocks keeps appending) or read back
 * from a file (test/setup/loadStacks.ts records the shipped stacks once per run).
 */
export function sessionOver(resources: RecordedResource[], invokes: Set<string>): MockSession {
  const index = { size: -1, byUrn: new Map<string, RecordedResource>() };
  const byUrnMap = () => {
    if (index.size !== resources.length) {
      index.byUrn = new Map(resources.map((r) => [r.urn, r]));
      index.size = resources.length;
    }
    return index.byUrn;
  };
  const session: MockSession = {
    resources,
    invokes,
    ofType: (type, name) =>
      resources.filter((r) => r.type === type && (name === undefined || r.name === name)),
    one(type, name) {
      const found = session.ofType(type, name);
      if (found.length !== 1) {
        throw new Error(
          `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`,
        );
      }
      return found[0];
    },
    byUrn: (urn) => byUrnMap().get(urn),
    ancestors(r) {
      const chain: RecordedResource[] = [];
      let cur = byUrnMap().get(r.parent);
      while (cur) {
        chain.push(cur);
        cur = byUrnMap().get(cur.parent);
      }
      return chain;
    },
    descendantsOf: (name) =>
      resources.filter((r) => session.ancestors(r).some((a) => a.name === name)),
    transitiveDependencies(r) {
      const seen = new Set<string>();
      const stack = [r];
      while (stack.length) {
        const cur = stack.pop()!;
        const direct = [...cur.dependencies, ...Object.values(cur.propertyDependencies).flat()];
        for (const urn of direct) {
          if (seen.has(urn)) continue;
          seen.add(urn);
          const dep = byUrnMap().get(urn);
          if (dep) stack.push(dep);
        }
      }
      return seen;
    },
  };
  return session;
}

/**
 * Flattens `Pulumi.<stack>.yaml` into the `namespace:key -> string` map the CLI
 * hands the program (objects and arrays as JSON), optionally overridden.
 */
export function stackFileConfig(
  stack: string,
  overrides: Record<string, unknown> = {},
): Record<string, string> {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file))
    throw new Error(
      `Pulumi.${stack}.yaml does not exist: run \`pulumi stack init ${stack}\` or pick another stack.`,
    );
  const doc = readYamlFile(file) as { config?: Record<string, unknown> };
  const merged: Record<string, unknown> = { ...(doc.config ?? {}), ...overrides };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/** A YAML file, or an error naming the file, line and column of a syntax error. */
export function readYamlFile(file: string): unknown {
  try {
    return parseYaml(fs.readFileSync(file, "utf8"));
  } catch (e) {
    const err = e as Error & { linePos?: { line: number; col: number }[] };
    const at = err.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}: ` : "";
    throw new Error(`${path.basename(file)}: ${where}${err.message.split("\n")[0]}`);
  }
}

/** Absolute path of the program entry Pulumi.yaml `main` names. */
export function programEntry(): string {
  const project = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    main: string;
  };
  return path.join(PROJECT_ROOT, project.main);
}

/** Lets every pending Output settle so all registrations have reached the monitor. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  // Resources created inside chained outputs can need a few macrotask turns.
  await new Promise((r) => setTimeout(r, 50));
}

/** A stack output as the program exported it: its value, and whether it is a secret. */
export interface RecordedExport {
  value: unknown;
  secret: boolean;
}

/**
 * The program's exports (its stack outputs) resolved, each with whether it is a secret: what a
 * recording keeps of them (scripts/load-entry.cjs) and what a test run returns.
 */
export async function recordExports(
  exports: Record<string, unknown>,
): Promise<Record<string, RecordedExport>> {
  const out: Record<string, RecordedExport> = {};
  // An undefined export is no stack output (the runtime does not serialize it).
  for (const [name, v] of Object.entries(exports))
    if (v !== undefined)
      out[name] = pulumi.Output.isInstance(v)
        ? { value: await valueOf(v), secret: await pulumi.isSecret(v) }
        : { value: v, secret: false };
  return out;
}

/** Resolves an Output's value in tests. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

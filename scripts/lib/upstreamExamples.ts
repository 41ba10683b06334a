/**
 * Turns the other tools' own examples into what the pack sees: Terraform HCL
 * (trivy's docs examples) parsed by HashiCorp's HCL parser (@cdktf/hcl2json),
 * each resource mapped to its Pulumi type and inputs with the names and shapes
 * the bridged provider's generated SDK declares (its .d.ts, read with the
 * TypeScript parser); Kubernetes YAML mapped to the Pulumi Kubernetes type
 * token, whose inputs are the manifest itself.
 *
 * The bridge's rules this follows (pulumi-terraform-bridge, docs/guides/...):
 * snake_case attributes become camelCase, list blocks with MaxItems=1 become a
 * single object (the SDK types them as T, not T[]), repeated blocks keep lists
 * and are often pluralized (`node_pool` -> `nodePools`). A reference such as
 * `aws_s3_bucket.b.id` becomes a property dependency on `b`, as the engine
 * records it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { parseAllDocuments } from "yaml";
import { EXAMPLE_TYPES, TERRAFORM_TYPES } from "../../policies/external/scope";
import type { StackItem } from "./policyInProcess";
import { typeToken } from "./strictSchema";

const ROOT = path.resolve(__dirname, "..", "..");

/** A property's declared shape in the SDK: scalar, map, nested input type, each maybe a list. */
interface Shape {
  array: boolean;
  map: boolean;
  /** A scalar's declared type: Terraform converts "false" and "5" to it, and so do we. */
  scalar?: "boolean" | "number" | "string";
  /** `container.ClusterPrivateClusterConfig` for `inputs.container.ClusterPrivateClusterConfig`. */
  ref?: string;
}
type Props = Map<string, Shape>;

function shapeOf(node: ts.TypeNode | undefined): Shape {
  const out: Shape = { array: false, map: false };
  const visit = (n: ts.TypeNode | undefined): void => {
    if (!n) return;
    if (ts.isParenthesizedTypeNode(n)) return visit(n.type);
    if (ts.isUnionTypeNode(n)) return n.types.forEach(visit);
    if (ts.isArrayTypeNode(n)) {
      out.array = true;
      return visit(n.elementType);
    }
    if (n.kind === ts.SyntaxKind.BooleanKeyword) out.scalar = "boolean";
    if (n.kind === ts.SyntaxKind.NumberKeyword) out.scalar = "number";
    if (n.kind === ts.SyntaxKind.StringKeyword) out.scalar = "string";
    if (ts.isTypeLiteralNode(n)) {
      if (n.members.some(ts.isIndexSignatureDeclaration)) out.map = true;
      return;
    }
    if (ts.isTypeReferenceNode(n)) {
      const name = n.typeName.getText();
      if (name === "pulumi.Input" || name === "Input" || name === "Promise")
        return n.typeArguments?.forEach(visit);
      if (name.startsWith("inputs.")) out.ref = name.slice("inputs.".length);
    }
  };
  visit(node);
  return out;
}

function members(iface: ts.InterfaceDeclaration): Props {
  const props: Props = new Map();
  for (const m of iface.members)
    if (ts.isPropertySignature(m) && m.name) props.set(m.name.getText(), shapeOf(m.type));
  return props;
}

const sources = new Map<string, ts.SourceFile>();
function source(file: string): ts.SourceFile {
  let sf = sources.get(file);
  if (!sf) {
    sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    sources.set(file, sf);
  }
  return sf;
}

const inputIndex = new Map<string, Map<string, ts.InterfaceDeclaration>>();
/**
 * Every interface of one namespace of a provider's types/input.d.ts, by `namespace.Name`. The
 * file declares one top-level `export declare namespace <module> {` per module, closed by a `}`
 * in column 0 (6 MB for @pulumi/gcp): only that block is parsed, not the file.
 */
function inputs(pkg: string, namespace: string): Map<string, ts.InterfaceDeclaration> {
  const key = `${pkg}:${namespace}`;
  let index = inputIndex.get(key);
  if (index) return index;
  index = new Map();
  const walk = (node: ts.Node, prefix: string) => {
    if (ts.isModuleDeclaration(node) && node.body) {
      const name = prefix ? `${prefix}.${node.name.getText()}` : node.name.getText();
      ts.forEachChild(node.body, (c) => walk(c, name));
    } else if (ts.isInterfaceDeclaration(node))
      index!.set(`${prefix}.${node.name.getText()}`, node);
    else if (ts.isModuleBlock(node)) ts.forEachChild(node, (c) => walk(c, prefix));
  };
  const file = path.join(ROOT, "node_modules", "@pulumi", pkg, "types", "input.d.ts");
  const text = (inputTexts[file] ??= fs.readFileSync(file, "utf8"));
  const start = text.indexOf(`\nexport declare namespace ${namespace} {\n`);
  if (start >= 0) {
    const end = text.indexOf("\n}\n", start + 1);
    const block = text.slice(start + 1, end < 0 ? undefined : end + 3);
    const sf = ts.createSourceFile(`${file}#${namespace}`, block, ts.ScriptTarget.Latest, true);
    ts.forEachChild(sf, (c) => walk(c, ""));
  }
  inputIndex.set(key, index);
  return index;
}
const inputTexts: Record<string, string> = {};

/** The `<Name>Args` properties of a Pulumi type token such as `gcp:container/cluster:Cluster`. */
function argsOf(token: string): Props | undefined {
  const [pkg, middle, name] = token.split(":");
  const [mod, file] = middle.split("/");
  const dir = path.join(ROOT, "node_modules", "@pulumi", pkg, mod);
  if (!fs.existsSync(dir)) return undefined;
  const dts = fs
    .readdirSync(dir)
    .find((f) => f.endsWith(".d.ts") && f.slice(0, -5).toLowerCase() === file.toLowerCase());
  if (!dts) return undefined;
  let found: ts.InterfaceDeclaration | undefined;
  ts.forEachChild(source(path.join(dir, dts)), (n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.getText() === `${name}Args`) found = n;
  });
  return found && members(found);
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
/** The SDK's name for a Terraform attribute: camelCase, or its plural for repeated blocks. */
function propName(tf: string, props: Props): string | undefined {
  const c = camel(tf);
  for (const cand of [c, `${c}s`, `${c}es`, c.replace(/y$/, "ies")])
    if (props.has(cand)) return cand;
  return undefined;
}

const REF = /^\$\{([a-z0-9_]+)\.([\w-]+)\.[\w.[\]"]+\}$/;

export interface Translated {
  items: StackItem[];
  /** What could not be mapped (a type with no SDK class, an attribute the SDK lacks, an expression). */
  problems: string[];
  /** Resources left out (no Pulumi type), with the resources they reference (type.name). */
  skipped?: { address: string; refs: string[] }[];
}

/** Terraform HCL -> the resources the pack would see, in the bridged SDK's shapes. */
export async function terraformToPulumi(hcl: string): Promise<Translated> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require("@cdktf/hcl2json") as {
    parse: (file: string, text: string) => Promise<Record<string, any>>;
  };
  const json = await parse("main.tf", hcl);
  const tokens: Record<string, string> = {};
  for (const [token, tf] of Object.entries({ ...TERRAFORM_TYPES, ...EXAMPLE_TYPES }))
    tokens[tf] = token;
  const items: StackItem[] = [];
  const problems: string[] = [];
  const skipped: { address: string; refs: string[] }[] = [];
  for (const [tfType, byName] of Object.entries(json.resource ?? {}))
    for (const [name, bodies] of Object.entries(byName as Record<string, any[]>)) {
      const token = tokens[tfType];
      const args = token && argsOf(token);
      if (!token || !args) {
        problems.push(`${tfType}: no Pulumi type known`);
        const refs = [...JSON.stringify(bodies).matchAll(/\$\{([a-z0-9_]+)\.([\w-]+)\./g)]
          .filter((m) => m[1] !== "data")
          .map((m) => `${m[1]}.${m[2]}`);
        skipped.push({ address: `${tfType}.${name}`, refs });
        continue;
      }
      const pkg = token.split(":")[0];
      const deps: Record<string, string[]> = {};
      const convert = (value: any, shape: Shape, where: string, top?: string): any => {
        if (typeof value === "string") {
          const ref = REF.exec(value);
          if (ref?.[1] === "data") {
            problems.push(`${where}: data source ${value}`);
            return value;
          }
          if (ref) {
            if (top) deps[top] = [...(deps[top] ?? []), `${ref[1]}.${ref[2]}`];
            return `${ref[2]}`;
          }
          if (value.includes("${")) problems.push(`${where}: expression ${value.slice(0, 60)}`);
          if (shape.scalar === "boolean" && (value === "true" || value === "false"))
            return value === "true";
          if (shape.scalar === "number" && value.trim() !== "" && !isNaN(Number(value)))
            return Number(value);
          return value;
        }
        // A list of scalars: each element may be a reference (vpc_security_group_ids = [x.id]).
        if (Array.isArray(value) && !shape.ref && !shape.map)
          return value.map((v) => convert(v, shape, where, top));
        if (shape.map || !shape.ref) return value;
        const nested = inputs(pkg, shape.ref.split(".")[0]).get(shape.ref);
        if (!nested) {
          problems.push(`${where}: no SDK type ${shape.ref}`);
          return value;
        }
        const list = Array.isArray(value) ? value : [value];
        const objs = list.map((v, i) => object(v, members(nested), `${where}[${i}]`, false, top));
        return shape.array ? objs : objs[0];
      };
      // `topProp`: the resource's own property a nested value sits under, which a reference
      // inside it becomes a property dependency of (as the engine records them).
      const object = (
        body: Record<string, any>,
        props: Props,
        where: string,
        top = false,
        topProp?: string,
      ) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(body ?? {})) {
          // Terraform's meta-arguments exist only on the resource itself.
          if (top && ["depends_on", "lifecycle", "provider", "count", "for_each"].includes(k))
            continue;
          const p = propName(k, props);
          if (!p) {
            problems.push(`${where}.${k}: not an input of the SDK type`);
            continue;
          }
          out[p] = convert(v, props.get(p)!, `${where}.${p}`, top ? p : topProp);
        }
        return out;
      };
      const props = object(bodies[0], args, `${tfType}.${name}`, true);
      // Item names are Terraform addresses (type.name): two resources may share a name.
      items.push({ type: token, name: `${tfType}.${name}`, props, propertyDependencies: deps });
    }
  // Dependencies on resources the example does not declare (data sources) are dropped.
  const names = new Set(items.map((i) => i.name));
  for (const it of items)
    for (const [k, v] of Object.entries(it.propertyDependencies ?? {})) {
      const kept = v.filter((n) => names.has(n));
      if (kept.length) it.propertyDependencies![k] = kept;
      else delete it.propertyDependencies![k];
    }
  return { items, problems, skipped };
}

/** One Kubernetes manifest -> the Pulumi Kubernetes resource (its inputs are the manifest). */
/** kubernetes-models' root folder: <apiVersion>/<Kind>.js for every kind the API serves. */
const MODELS_ROOT = path.resolve(__dirname, "..", "..", "node_modules", "kubernetes-models");

/**
 * False when the API version exists in the Kubernetes OpenAPI (kubernetes-models) but has no
 * such kind, e.g. `apiVersion: v1, kind: Deployment`, which an API server refuses. Versions
 * the models do not carry (removed betas, custom resources) are not judged here.
 */
function servedKind(apiVersion: string, kind: string): boolean {
  const dir = path.join(MODELS_ROOT, apiVersion);
  return !fs.existsSync(dir) || fs.existsSync(path.join(dir, `${kind}.js`));
}

export function kubernetesToPulumi(yaml: string): Translated {
  // One manifest may hold several objects (a Pod and its ServiceAccount, say).
  const docs = parseAllDocuments(yaml)
    .map((d) => d.toJS())
    .filter((d) => d && typeof d === "object");
  if (docs.length === 0) return { items: [], problems: ["not a Kubernetes object"] };
  const items: StackItem[] = [];
  const problems: string[] = [];
  for (const doc of docs) {
    if (!doc.apiVersion || !doc.kind) {
      problems.push("not a Kubernetes object");
      continue;
    }
    if (!servedKind(String(doc.apiVersion), String(doc.kind))) {
      problems.push(`${doc.apiVersion} ${doc.kind}: no such kind in that API version`);
      continue;
    }
    const type = typeToken(doc);
    const group = type.split(":")[1].split("/")[0];
    // Kubernetes' own API groups only (an OpenShift DeploymentConfig has no Pulumi type).
    if (
      !["core", "apps", "batch", "policy", "autoscaling"].includes(group) &&
      !group.endsWith(".k8s.io")
    ) {
      problems.push(`${doc.apiVersion} ${doc.kind}: not a Kubernetes API group`);
      continue;
    }
    items.push({ type, name: doc.metadata?.name ?? "example", props: doc });
  }
  return { items, problems };
}

/**
 * The rules judged on checkov's own unit-test fixtures: for every checkov check a rule cites
 * in `covers` whose test directory was recorded (scripts/external-checks.ts), the Terraform of
 * that directory is translated once (HashiCorp's HCL parser, the bridged SDK's shapes) and
 * every resource address checkov's test expects to fail must be flagged by a covering rule;
 * every address it expects to pass must not be flagged for what makes a failing one fail
 * (the same rule drawing the same message, names aside). Addresses that cannot be translated
 * faithfully are skipped and counted; DISAGREEMENTS lists, with the reason, the addresses
 * where we deliberately judge otherwise.
 */
import { describe, expect, it } from "vitest";
import { readUpstream } from "../../scripts/external-checks";
import { terraformToPulumi, type Translated } from "../../scripts/lib/upstreamExamples";
import { covering, judgeEach, type Setting } from "../helpers/upstreamJudge";

/** `<check id> <address>` -> why we judge that fixture resource otherwise, on purpose. */
const DISAGREEMENTS: Record<string, string> = {
  "CKV_AWS_20 aws_s3_bucket.website":
    'acl "website" is not an S3 canned ACL (docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl): the API refuses it, so nothing becomes public',
  "CKV_AWS_20 aws_s3_bucket.website_v4":
    'acl "website" is not an S3 canned ACL (docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl): the API refuses it, so nothing becomes public',
  "CKV_AWS_24 aws_vpc_security_group_ingress_rule.fail2":
    "names no source (no CIDR, prefix list or referenced group): the provider requires exactly one, so the rule admits nobody",
  "CKV_AWS_24 aws_security_group.not_self":
    "an ingress block naming no source (self false, no CIDR, no group) admits nobody; checkov reads it as open",
  "CKV_AWS_24 aws_security_group.pass_self2":
    "self = true does not narrow a rule that also lists 0.0.0.0/0: AWS admits the group's members and the whole internet (checkov passes any rule with self)",
  "CKV_AWS_133 aws_db_instance.pass2":
    "sets no backupRetentionPeriod, so the provider keeps no automated backups (0); aws-rds-backups asks for 7 days (14 in prod), deliberately stricter",
  "CKV_AWS_226 aws_db_instance.fail2":
    "autoMinorVersionUpgrade unset: the provider's default is true, so minor upgrades are on (checkov reads absent as off)",
  "CKV_AWS_250 aws_rds_cluster.pass":
    "Aurora PostgreSQL 11.9 is past the log_fdw fix, but PostgreSQL 11 left community support in November 2023; database-postgres-supported-major asks for a supported major",
  "CKV_AWS_379 aws_s3_bucket_acl.pass_restricted":
    "a public-read ACL that checkov accepts because a public access block restricts the bucket, a website configuration serves it, or its policy demands TLS (the check is about data in transit); aws-s3-no-public-acl refuses every public ACL: no platform bucket is public, and a relaxed block would make it so",
  "CKV_AWS_379 aws_s3_bucket_acl.pass_website":
    "a public-read ACL that checkov accepts because a public access block restricts the bucket, a website configuration serves it, or its policy demands TLS (the check is about data in transit); aws-s3-no-public-acl refuses every public ACL: no platform bucket is public, and a relaxed block would make it so",
  "CKV_AWS_379 aws_s3_bucket_acl.pass_policy1":
    "a public-read ACL that checkov accepts because a public access block restricts the bucket, a website configuration serves it, or its policy demands TLS (the check is about data in transit); aws-s3-no-public-acl refuses every public ACL: no platform bucket is public, and a relaxed block would make it so",
  "CKV_AWS_379 aws_s3_bucket_acl.pass_policy2":
    "a public-read ACL that checkov accepts because a public access block restricts the bucket, a website configuration serves it, or its policy demands TLS (the check is about data in transit); aws-s3-no-public-acl refuses every public ACL: no platform bucket is public, and a relaxed block would make it so",
  "CKV_AWS_379 aws_s3_bucket_acl.pass_policy3":
    "a public-read ACL that checkov accepts because a public access block restricts the bucket, a website configuration serves it, or its policy demands TLS (the check is about data in transit); aws-s3-no-public-acl refuses every public ACL: no platform bucket is public, and a relaxed block would make it so",
  "CKV2_AWS_69 aws_db_instance.maria_fail_0":
    "a MariaDB or Db2 instance: the platform runs PostgreSQL only, and aws-rds-force-ssl judges PostgreSQL parameter groups (rds.force_ssl)",
  "CKV2_AWS_69 aws_db_instance.mariadb_fail_missing":
    "a MariaDB or Db2 instance: the platform runs PostgreSQL only, and aws-rds-force-ssl judges PostgreSQL parameter groups (rds.force_ssl)",
  "CKV2_AWS_69 aws_db_instance.db2_fail_0":
    "a MariaDB or Db2 instance: the platform runs PostgreSQL only, and aws-rds-force-ssl judges PostgreSQL parameter groups (rds.force_ssl)",
  "CKV2_AWS_69 aws_db_instance.db2_fail_missing":
    "a MariaDB or Db2 instance: the platform runs PostgreSQL only, and aws-rds-force-ssl judges PostgreSQL parameter groups (rds.force_ssl)",
};

const fixtures = readUpstream().checks.filter((c) => c.fixture && covering(c.id).length > 0);

interface Address {
  key: string;
  id: string;
  address: string;
  verdict: "pass" | "fail";
  /** The translation of the one fixture file that declares the address. */
  translated: Translated;
}

/** Translations of fixture files, by text (checks share test directories). */
const cache = new Map<string, Promise<Translated>>();
const translate = (text: string) => {
  if (!cache.has(text))
    cache.set(
      text,
      // python-hcl2, which checkov uses, accepts some files HashiCorp's parser refuses
      terraformToPulumi(text).catch((e: Error) => ({ items: [], problems: [`HCL: ${e.message}`] })),
    );
  return cache.get(text)!;
};

/**
 * Every address checkov's test names, judged within the file that declares it. An address no
 * file or more than one declares, or named both passing and failing, is ambiguous and left out.
 */
async function addresses(): Promise<{ all: Address[]; usable: Address[] }> {
  const all: Address[] = [];
  const usable: Address[] = [];
  for (const c of fixtures) {
    const files = await Promise.all(Object.values(c.fixture!.files).map(translate));
    for (const verdict of ["pass", "fail"] as const)
      for (const address of c.fixture![verdict]) {
        const declaring = files.filter((t) => t.items.some((i) => i.name === address));
        const a = {
          key: `${c.id} ${address}`,
          id: c.id,
          address,
          verdict,
          translated: declaring[0],
        };
        all.push(a);
        const ambiguous =
          declaring.length !== 1 ||
          c.fixture!.pass.includes(address) === c.fixture!.fail.includes(address);
        if (ambiguous) continue;
        const t = declaring[0];
        // Translated with no problem of its own, and nothing left out of the translation
        // (a type with no Pulumi class) refers to it: its context is complete.
        const faithful =
          !t.problems.some((p) => p === address || p.startsWith(`${address}.`)) &&
          !(t.skipped ?? []).some((s) => s.refs.includes(address));
        if (faithful) usable.push(a);
      }
  }
  return { all, usable };
}

/** The items connected to an address through a property (either direction), and itself. */
function connected(a: Address): Set<string> {
  const items = a.translated.items;
  const out = new Set([a.address]);
  const me = items.find((i) => i.name === a.address)!;
  for (const names of Object.values(me.propertyDependencies ?? {}))
    names.forEach((n) => out.add(n));
  for (const i of items)
    if (Object.values(i.propertyDependencies ?? {}).some((names) => names.includes(a.address)))
      out.add(i.name!);
  return out;
}

/**
 * What the covering rules say about one address, names replaced by "X": findings on the
 * resource itself, and with `wired`, on a resource wired to it (checkov judges some checks on
 * the graph, e.g. a bucket by its ACL or public access block resource). A failing address
 * counts as flagged through what is wired to it; a passing one is judged on its own findings.
 */
function findings(a: Address, setting: Setting, wired = false): Set<string> {
  const near = wired ? connected(a) : new Set([a.address]);
  const names = a.translated.items
    .filter((i) => near.has(i.name!))
    .flatMap((i) => [i.name!, i.name!.split(".")[1], i.props.bucket, i.props.name])
    .filter((x): x is string => typeof x === "string" && x.length > 0)
    .sort((x, y) => y.length - x.length);
  return new Set(
    judgeEach(covering(a.id), a.translated.items, setting)
      .filter((f) => f.name !== undefined && near.has(f.name))
      .map((f) => names.reduce((m, n) => m.split(n).join("X"), f.message)),
  );
}

describe("the covering rules on checkov's own test fixtures", async () => {
  const { all, usable } = await addresses();

  it("most fixture resources translate faithfully", () => {
    expect(fixtures.length).toBeGreaterThan(60);
    expect(usable.length).toBeGreaterThan(200);
    expect(usable.length / all.length).toBeGreaterThan(0.6);
  });

  function verdicts(id: string, setting: Setting) {
    const mine = usable.filter((a) => a.id === id && !DISAGREEMENTS[a.key]);
    const fail = mine
      .filter((a) => a.verdict === "fail")
      .map((a) => [a, findings(a, setting, true)] as const);
    const missed = fail.filter(([, f]) => f.size === 0).map(([a]) => a.key);
    const wrong: string[] = [];
    for (const pass of mine.filter((a) => a.verdict === "pass")) {
      const g = findings(pass, setting);
      const like = fail.find(([, f]) => f.size > 0 && [...f].every((x) => g.has(x)));
      if (like) wrong.push(`${pass.key} (like ${like[0].address}: ${[...like[1]].join("; ")})`);
    }
    return { missed, wrong };
  }
  const results = fixtures.map((c) => {
    const prod = verdicts(c.id, "prod");
    return prod.missed.length === 0 && prod.wrong.length === 0 ? prod : verdicts(c.id, "strictest");
  });

  it("every resource checkov fails is flagged by a rule that covers the check", () => {
    expect(results.flatMap((r) => r.missed)).toEqual([]);
  });

  it("no resource checkov passes is flagged for what makes a failing one fail", () => {
    expect(results.flatMap((r) => r.wrong)).toEqual([]);
  });

  it("each listed disagreement still disagrees (so the list cannot go stale)", () => {
    for (const key of Object.keys(DISAGREEMENTS)) {
      const a = usable.find((x) => x.key === key);
      expect(a, key).toBeDefined();
      const disagrees = (["prod", "strictest"] as const).some((setting) => {
        if (a!.verdict === "pass") return findings(a!, setting).size > 0;
        // A failing address disagrees when it is missed, or drawn only what a passing one draws.
        const f = findings(a!, setting, true);
        return (
          f.size === 0 ||
          usable
            .filter((x) => x.id === a!.id && x.verdict === "pass")
            .some((x) => [...f].every((m) => findings(x, setting).has(m)))
        );
      });
      expect(disagrees, key).toBe(true);
    }
  });
});

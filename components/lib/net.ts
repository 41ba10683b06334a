/** IPv4 CIDR helpers shared by config validation and components. Pure. */

const CIDR_RE =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

export function isCidr(value: string): boolean {
  return CIDR_RE.test(value);
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** [first, last] address of a CIDR, as integers. */
export function cidrRange(cidr: string): [number, number] {
  const [ip, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToInt(ip) / size) * size;
  return [start, start + size - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

/** True for a range that admits any address (`0.0.0.0/0` and friends). */
export function isWorldOpen(cidr: string): boolean {
  return cidr.trim().endsWith("/0");
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/**
 * The `index`-th sub-range of prefix length `newPrefix` inside `parent`
 * (like Terraform's `cidrsubnet(parent, newPrefix - parentPrefix, index)`).
 * Throws when the sub-range does not fit. Pure.
 */
export function subnetCidr(parent: string, newPrefix: number, index: number): string {
  const bits = Number(parent.split("/")[1]);
  if (newPrefix < bits || newPrefix > 32)
    throw new Error(`/${newPrefix} is not a sub-range of ${parent}.`);
  const count = 2 ** (newPrefix - bits);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(`${parent} has ${count} /${newPrefix} ranges; index ${index} is outside.`);
  const [start] = cidrRange(parent);
  return `${intToIpv4(start + index * 2 ** (32 - newPrefix))}/${newPrefix}`;
}

/** True when the range lies inside RFC 1918 private space (10/8, 172.16/12, 192.168/16). */
export function isPrivateCidr(cidr: string): boolean {
  const [s, e] = cidrRange(cidr);
  return ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].some((r) => {
    const [rs, re] = cidrRange(r);
    return s >= rs && e <= re;
  });
}

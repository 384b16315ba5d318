/** IPv4 arithmetic for the site's address checks. Plain numbers, no dependency. */

/** Dotted quad to an unsigned 32-bit number. Assumes the string was already format-checked. */
export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export interface Ipv4Range {
  /** First address of the block (network address). */
  readonly first: number;
  /** Last address of the block (broadcast address). */
  readonly last: number;
  readonly prefixLength: number;
}

export function parseCidr(cidr: string): Ipv4Range {
  const [base, prefix] = cidr.split('/');
  const prefixLength = Number(prefix);
  const size = 2 ** (32 - prefixLength);
  const first = Math.floor(ipToNumber(base) / size) * size;
  return { first, last: first + size - 1, prefixLength };
}

/** True when the CIDR's base address has host bits set (10.70.0.5/24), which is almost always a typo. */
export function cidrHasHostBits(cidr: string): boolean {
  const [base] = cidr.split('/');
  return ipToNumber(base) !== parseCidr(cidr).first;
}

/** A usable host address of the block: not the network or broadcast address (for prefixes below /31). */
export function isUsableHost(ip: string, cidr: string): boolean {
  const range = parseCidr(cidr);
  const n = ipToNumber(ip);
  if (n < range.first || n > range.last) return false;
  if (range.prefixLength >= 31) return true;
  return n !== range.first && n !== range.last;
}

export function inRange(ip: string, start: string, end: string): boolean {
  const n = ipToNumber(ip);
  return n >= ipToNumber(start) && n <= ipToNumber(end);
}

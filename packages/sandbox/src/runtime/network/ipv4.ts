/** An IPv4 network: base address (as a 32-bit number) and prefix length. */
export interface Ipv4Network {
  base: number;
  prefixLength: number;
}

/** Parses `a.b.c.d` into a 32-bit number, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Formats a 32-bit number as `a.b.c.d`. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/len` (or a bare address, /32) into its network; undefined when malformed. */
export function parseIpv4Network(text: string): Ipv4Network | undefined {
  const [address, length, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return undefined;
  const value = parseIpv4(address);
  const prefixLength = length === undefined ? 32 : /^\d{1,2}$/.test(length) ? Number(length) : Number.NaN;
  if (value === undefined || !(prefixLength >= 0 && prefixLength <= 32)) return undefined;
  return { base: value - (value % 2 ** (32 - prefixLength)), prefixLength };
}

/** The number of addresses in the network. */
export function networkSize(network: Ipv4Network): number {
  return 2 ** (32 - network.prefixLength);
}

/** True when the two networks share at least one address. */
export function networksOverlap(left: Ipv4Network, right: Ipv4Network): boolean {
  return left.base < right.base + networkSize(right) && right.base < left.base + networkSize(left);
}

/** `a.b.c.d/len` of a network. */
export function formatIpv4Network(network: Ipv4Network): string {
  return `${formatIpv4(network.base)}/${network.prefixLength}`;
}

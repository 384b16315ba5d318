/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) evaluated the way the API documents it, written
 * here rather than read from any renderer, so tests can ask "may this source open this port on this
 * pod?" of the objects a synth wrote. Semantics implemented (per the API reference):
 *
 * - A pod is isolated for ingress (egress) when a policy in its namespace selects it and lists
 *   Ingress (Egress) in policyTypes; policyTypes defaults to Ingress, plus Egress when the policy
 *   has egress rules. A connection is allowed when the destination is not isolated for ingress or
 *   a rule of any selecting policy admits it (policies add up), and, for a pod source, the source is
 *   not isolated for egress or an egress rule admits it.
 * - A rule matches when one of its ports matches (no ports: every port) and one of its peers does
 *   (no peers: every source). A port without protocol is TCP, without port every port of that
 *   protocol; a named port is looked up in the destination pod's container ports (name, protocol);
 *   endPort makes a range.
 * - A peer is an ipBlock (cidr minus except), or a podSelector and/or namespaceSelector: a
 *   podSelector alone picks pods of the policy's namespace, a namespaceSelector alone every pod of
 *   the namespaces it picks, both together the pods it picks in those namespaces. Namespaces carry
 *   the automatic `kubernetes.io/metadata.name` label.
 *
 * Not modelled, on purpose: hostNetwork pods, traffic from the pod's own node (always allowed) and a
 * pod reaching its own address (it stays on the pod's loopback). Only IPv4 addresses.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: Protocol;
}

export interface NetworkPolicy {
  readonly metadata: { name: string; namespace?: string };
  readonly spec: {
    podSelector: LabelSelector;
    policyTypes?: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: Protocol;
}

/** A pod as policies see it: where it is, its labels, its address and the ports it declares. */
export interface PodEndpoint {
  readonly kind: 'pod';
  /** For messages: what the pod is. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
  readonly ports: readonly ContainerPort[];
}

/** A source outside the cluster (or a node): only its address. */
export interface AddressEndpoint {
  readonly kind: 'address';
  readonly name: string;
  readonly ip: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

export interface Verdict {
  readonly allowed: boolean;
  /** Which policy and rule decided, for failure messages. */
  readonly why: string;
}

/** The policies of a cluster and the labels of its namespaces (namespaces not listed have only the automatic label). */
export class PolicyCluster {
  constructor(
    private readonly policies: readonly NetworkPolicy[],
    private readonly namespaceLabels: Readonly<Record<string, Record<string, string>>> = {},
  ) {
    for (const p of policies) {
      if (!p.metadata.namespace) throw new Error(`NetworkPolicy ${p.metadata.name} has no namespace: set it before evaluating`);
    }
  }

  /** Policies that select the pod and apply in the direction given. */
  isolating(pod: PodEndpoint, direction: 'Ingress' | 'Egress'): NetworkPolicy[] {
    return this.policies.filter((p) => p.metadata.namespace === pod.namespace
      && selects(p.spec.podSelector, pod.labels)
      && policyTypes(p).includes(direction));
  }

  /** May `from` open `port`/`protocol` on the pod `to`? */
  verdict(from: Endpoint, to: PodEndpoint, port: number, protocol: Protocol): Verdict {
    if (from.kind === 'pod') {
      const egress = this.egressVerdict(from, to, port, protocol);
      if (!egress.allowed) return egress;
    }
    return this.ingressVerdict(from, to, port, protocol);
  }

  private ingressVerdict(from: Endpoint, to: PodEndpoint, port: number, protocol: Protocol): Verdict {
    const policies = this.isolating(to, 'Ingress');
    if (policies.length === 0) return { allowed: true, why: `no NetworkPolicy isolates ${to.name} for ingress` };
    for (const p of policies) {
      for (const [i, rule] of (p.spec.ingress ?? []).entries()) {
        if (!portsMatch(rule.ports, to, port, protocol)) continue;
        const peer = peersMatch(rule.from, from, p.metadata.namespace!, this.namespaceLabels);
        if (peer.matched) return { allowed: true, why: `admitted by ${ref(p)} ingress[${i}] ${peer.which}` };
      }
    }
    return { allowed: false, why: `isolated by ${policies.map(ref).join(', ')}; no ingress rule admits it` };
  }

  private egressVerdict(from: PodEndpoint, to: PodEndpoint, port: number, protocol: Protocol): Verdict {
    const policies = this.isolating(from, 'Egress');
    if (policies.length === 0) return { allowed: true, why: 'egress not isolated' };
    for (const p of policies) {
      for (const [i, rule] of (p.spec.egress ?? []).entries()) {
        if (!portsMatch(rule.ports, to, port, protocol)) continue;
        const peer = peersMatch(rule.to, to, p.metadata.namespace!, this.namespaceLabels);
        if (peer.matched) return { allowed: true, why: `let out by ${ref(p)} egress[${i}] ${peer.which}` };
      }
    }
    return { allowed: false, why: `source ${from.name} isolated for egress by ${policies.map(ref).join(', ')}; no egress rule lets it out` };
  }
}

const ref = (p: NetworkPolicy) => `NetworkPolicy ${p.metadata.namespace}/${p.metadata.name}`;

export function policyTypes(p: NetworkPolicy): ('Ingress' | 'Egress')[] {
  return p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress' as const] : [])];
}

/** Label selector semantics: every matchLabels pair and every expression must hold; an empty selector selects all. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressions = (selector.matchExpressions ?? []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: throw new Error(`unknown selector operator ${String((e as { operator: unknown }).operator)}`);
    }
  });
  return pairs && expressions;
}

function portsMatch(ports: readonly NetworkPolicyPort[] | undefined, to: PodEndpoint, port: number, protocol: Protocol): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') {
      // A named port admits the container port of that name and protocol on the destination pod.
      return to.ports.some((c) => c.name === p.port && c.containerPort === port && (c.protocol ?? 'TCP') === protocol);
    }
    return p.endPort === undefined ? port === p.port : port >= p.port && port <= p.endPort;
  });
}

function peersMatch(
  peers: readonly NetworkPolicyPeer[] | undefined, other: Endpoint, policyNamespace: string,
  namespaceLabels: Readonly<Record<string, Record<string, string>>>,
): { matched: boolean; which: string } {
  if (!peers || peers.length === 0) return { matched: true, which: 'from/to every source (no peers)' };
  for (const [i, peer] of peers.entries()) {
    if (peerMatches(peer, other, policyNamespace, namespaceLabels)) return { matched: true, which: `peer[${i}] ${JSON.stringify(peer)}` };
  }
  return { matched: false, which: '' };
}

function peerMatches(peer: NetworkPolicyPeer, other: Endpoint, policyNamespace: string, namespaceLabels: Readonly<Record<string, Record<string, string>>>): boolean {
  const problem = peerProblem(peer);
  // The API server rejects such a peer; read it the most open way, so a security test never
  // passes because of an object that could not be applied as written.
  if (problem) return true;
  if (peer.ipBlock) {
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  // Selectors pick pods only: an address outside the cluster never matches them.
  if (other.kind !== 'pod') return false;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  const nsLabels = { ...(namespaceLabels[other.namespace] ?? {}), 'kubernetes.io/metadata.name': other.namespace };
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels) : other.namespace === policyNamespace;
  return podOk && nsOk;
}

/** Why the API server would reject a peer, or undefined when it is valid. */
export function peerProblem(peer: NetworkPolicyPeer): string | undefined {
  const set = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((x) => x !== undefined).length;
  if (set === 0) return 'a peer must set podSelector, namespaceSelector or ipBlock';
  if (peer.ipBlock && set > 1) return 'ipBlock cannot be combined with a selector';
  if (peer.ipBlock) {
    const outer = parseCidr(peer.ipBlock.cidr);
    for (const e of peer.ipBlock.except ?? []) {
      const inner = parseCidr(e);
      if (inner.first < outer.first || inner.last > outer.last) return `except ${e} is outside cidr ${peer.ipBlock.cidr}`;
    }
  }
  return undefined;
}

/** The API server's checks on a policy that matter for its meaning, one line each. */
export function policyProblems(p: NetworkPolicy): string[] {
  const where = ref(p);
  const peers = [
    ...(p.spec.ingress ?? []).flatMap((r, i) => (r.from ?? []).map((peer, j) => [`ingress[${i}].from[${j}]`, peer] as const)),
    ...(p.spec.egress ?? []).flatMap((r, i) => (r.to ?? []).map((peer, j) => [`egress[${i}].to[${j}]`, peer] as const)),
  ];
  const ports = [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])].flatMap((r) => r.ports ?? []);
  return [
    ...peers.flatMap(([at, peer]) => { const why = peerProblem(peer); return why ? [`${where} ${at}: ${why}`] : []; }),
    ...ports.flatMap((port) => (port.endPort !== undefined && (typeof port.port !== 'number' || port.endPort < port.port)
      ? [`${where}: endPort ${port.endPort} needs a numeric port not above it (port ${String(port.port)})`] : [])),
  ];
}

export function ipToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function parseCidr(cidr: string): { first: number; last: number } {
  const [ip, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits ?? '') || prefix > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToNumber(ip) / size) * size;
  return { first, last: first + size - 1 };
}

export function inCidr(ip: string, cidr: string): boolean {
  const n = ipToNumber(ip);
  const { first, last } = parseCidr(cidr);
  return n >= first && n <= last;
}

/**
 * Talos' own checks beyond the JSON schema (research/talos.md §4), as a table of rules over the
 * parsed documents of one machine config: a problem where Talos would refuse the config. Sources
 * are siderolabs/talos pkg/machinery@v1.13.9: v1alpha1_validation.go, container.go, decoder.go and
 * the multi-doc Validate() methods; test/upstream/talos-rules-agree.test.ts holds the verdicts
 * against machinery itself. Stricter than Talos, on purpose (each says so in its message or
 * comment): hostname characters (the node name), a VIP on a worker, Kubernetes image tags, an
 * install section. Not checked: the CEL disk selector's syntax (machinery compiles it; ours is generated from the validated disk path).
 */
import { isIP } from 'node:net';
import { TALOS_KUBERNETES_RANGE } from '../site';
import { userVolumeProblems } from './user-volume-rules';

export interface TalosConfigProblem {
  /** Document and field, e.g. "v1alpha1.machine.ca.key" or "UserVolumeConfig/local-path-provisioner.provisioning". */
  readonly path: string;
  readonly value: unknown;
  readonly message: string;
}

type Doc = Record<string, unknown>;
type Obj = Record<string, unknown>;

interface RuleContext {
  readonly documents: readonly Doc[];
  /** The single v1alpha1 document, when there is exactly one. */
  readonly config?: Doc;
  readonly machine: Obj;
  readonly cluster: Obj;
  /** machine.type is controlplane or its older spelling init (Talos' machine.ParseType). */
  readonly controlPlane: boolean;
  /** machine.type is worker, join or empty, which Talos also reads as worker; an unknown type is neither. */
  readonly worker: boolean;
  /** Talos minor of the contract, e.g. "1.13". */
  readonly contract: string;
}

type Rule = (ctx: RuleContext) => TalosConfigProblem[];

const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isV1Alpha1 = (d: Doc) => ['machine', 'cluster', 'debug', 'persist'].some((k) => k in d);
const docId = (d: Doc) => `${String(d.kind)}${d.name !== undefined ? `/${String(d.name)}` : ''}`;
const ofKind = (ctx: RuleContext, kind: string) => ctx.documents.filter((d) => d.kind === kind);
const p = (path: string, value: unknown, message: string): TalosConfigProblem => ({ path, value, message });

/** netip.ParseAddr through Node's own parser: no leading zeros, no port, one "::"; an IPv6 address may carry a %zone. */
const isIp = (v: unknown) => {
  if (typeof v !== 'string') return false;
  const [address, zone, ...rest] = v.split('%');
  return zone === undefined ? isIP(address) !== 0 : rest.length === 0 && zone !== '' && isIP(address) === 6;
};
/** netip.ParsePrefix: an address, "/", and prefix bits without leading zeros up to 32 or 128. */
const isCidr = (v: unknown) => {
  const m = typeof v === 'string' ? /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(v) : null;
  return m !== null && !m[1].includes('%') && isIP(m[1]) !== 0 && Number(m[2]) <= (isIP(m[1]) === 6 ? 128 : 32); // prefixes take no zone
};
const DNS_DOMAIN = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const KUBELET_EXTRA_CONFIG_FORBIDDEN = ['apiVersion', 'authentication', 'authorization', 'cgroupRoot', 'kind', 'kubeletCgroups', 'port', 'protectKernelDefaults', 'resolvConf', 'rotateCertificates', 'systemCgroups', 'staticPodPath', 'seccompDefault'];
const KUBERNETES_IMAGES: [string, (ctx: RuleContext) => unknown][] = [
  ['machine.kubelet.image', (c) => obj(c.machine.kubelet).image],
  ['cluster.apiServer.image', (c) => obj(c.cluster.apiServer).image],
  ['cluster.controllerManager.image', (c) => obj(c.cluster.controllerManager).image],
  ['cluster.proxy.image', (c) => obj(c.cluster.proxy).image],
  ['cluster.scheduler.image', (c) => obj(c.cluster.scheduler).image],
];

function validEndpoint(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is required';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL; use https://<vip>:6443';
  }
  if (url.protocol !== 'https:') return 'must use https://';
  // WHATWG's parser forgives what Go's url.Parse (Talos) reads as no host: a missing or extra "/"
  // (https:10.0.0.1, https:///10.0.0.1), a backslash, a leading space.
  if (!/^https:\/\/[^/\\?#\s]/i.test(value)) return 'has no host as Talos reads it; write https://<host>:6443';
  // ...and quietly drops or rewrites spaces, tabs, control characters and backslashes that Go refuses.
  if (/[\s\\\x00-\x1f\x7f]/.test(value)) return 'has a space, control character or backslash, which Talos refuses; write https://<host>:6443';
  // It refuses ports above 65535 itself; 0 it keeps.
  if (url.port === '0') return 'has a port outside 1-65535';
  return undefined;
}

const rules: Rule[] = [
  // Document set (decoder.go, container.go)
  ({ documents }) => documents.flatMap((d, i) => (!isV1Alpha1(d) && (!d.apiVersion || !d.kind)
    ? [p(`document ${i + 1}`, Object.keys(d), `is neither the v1alpha1 config nor a document with apiVersion and kind (missing ${d.kind ? 'apiVersion' : 'kind'})`)]
    : [])),
  // Every Talos 1.10-1.13 document kind is registered as v1alpha1 only; another version is "not registered".
  ({ documents }) => documents.filter((d) => !isV1Alpha1(d) && d.kind && d.apiVersion && d.apiVersion !== 'v1alpha1')
    .map((d) => p(`${docId(d)}.apiVersion`, d.apiVersion, 'is not one Talos knows: its documents are apiVersion v1alpha1')),
  ({ documents }) => {
    const count = documents.filter(isV1Alpha1).length;
    return count === 1 ? [] : [p('v1alpha1', count, 'a machine config needs exactly one v1alpha1 document (machine/cluster)')];
  },
  ({ documents }) => {
    const seen = new Set<string>();
    return documents.filter((d) => !isV1Alpha1(d)).flatMap((d) => {
      const id = `${String(d.apiVersion)}/${docId(d)}`;
      if (seen.has(id)) return [p(docId(d), id, 'is defined twice; each (apiVersion, kind, name) may appear once')];
      seen.add(id);
      return [];
    });
  },
  ({ config }) => (config && config.persist === false ? [p('v1alpha1.persist', false, 'must not be false (Talos rejects it); omit it')] : []),
  ({ documents }) => {
    const v1 = documents.filter(isV1Alpha1);
    return v1.length === 1 && !v1[0].machine ? [p('v1alpha1.machine', undefined, 'is required')] : [];
  },

  // Machine type and PKI (v1alpha1_validation.go :131-175)
  ({ config, controlPlane, worker, machine }) => (config && !controlPlane && !worker
    ? [p('v1alpha1.machine.type', machine.type, 'must be controlplane or worker')] : []),
  ({ config, machine }) => (config && !obj(machine.ca).crt && arr(machine.acceptedCAs).length === 0
    ? [p('v1alpha1.machine.ca', machine.ca, 'is required on every node (or machine.acceptedCAs)')] : []),
  ({ controlPlane, machine }) => (controlPlane && !obj(machine.ca).key
    ? [p('v1alpha1.machine.ca.key', '', 'is required on a control-plane node (it signs Talos API certificates)')] : []),
  ({ worker, machine }) => (worker && obj(machine.ca).key
    ? [p('v1alpha1.machine.ca.key', '(set)', 'must be empty on a worker: workers never hold the OS CA key')] : []),
  // Talos keys these three on "not a control plane" (an unknown type too), the OS CA key on "worker".
  ({ config, controlPlane, cluster }) => (config && !controlPlane && obj(cluster.ca).key
    ? [p('v1alpha1.cluster.ca.key', '(set)', 'must be empty on a worker: workers never hold the Kubernetes CA key')] : []),
  ({ config, controlPlane, cluster }) => (config && !controlPlane && cluster.etcd
    ? [p('v1alpha1.cluster.etcd', '(set)', 'is only valid on control-plane nodes')] : []),
  ({ config, controlPlane, machine }) => (config && !controlPlane && obj(obj(machine.features).kubernetesTalosAPIAccess).enabled
    ? [p('v1alpha1.machine.features.kubernetesTalosAPIAccess', '(enabled)', 'can only be enabled on control-plane nodes (Talos refuses it on workers)')] : []),
  ({ controlPlane, cluster }) => {
    if (!controlPlane) return [];
    const etcd = obj(cluster.etcd);
    const out: TalosConfigProblem[] = [];
    if (!obj(etcd.ca).crt || !obj(etcd.ca).key) out.push(p('v1alpha1.cluster.etcd.ca', etcd.ca, 'is required on a control-plane node'));
    if (etcd.subnet && etcd.advertisedSubnets) out.push(p('v1alpha1.cluster.etcd', etcd, 'set subnet or advertisedSubnets, not both'));
    // EtcdConfig.Validate reads subnet as the advertised subnets when those are unset, and listenSubnets.
    const subnets: [string, unknown[]][] = [
      [etcd.advertisedSubnets !== undefined ? 'advertisedSubnets' : 'subnet', etcd.advertisedSubnets !== undefined ? arr(etcd.advertisedSubnets) : etcd.subnet ? [etcd.subnet] : []],
      ['listenSubnets', arr(etcd.listenSubnets)],
    ];
    for (const [field, list] of subnets) {
      for (const s of list) {
        const net = String(s).replace(/^!/, '');
        if (!isCidr(net) && !isIp(net)) out.push(p(`v1alpha1.cluster.etcd.${field}`, s, 'must be a CIDR or IP (optionally prefixed with !)'));
      }
    }
    return out;
  },

  // Cluster (:381-560)
  ({ config, cluster }) => {
    if (!config) return [];
    const why = validEndpoint(obj(cluster.controlPlane).endpoint);
    return why ? [p('v1alpha1.cluster.controlPlane.endpoint', obj(cluster.controlPlane).endpoint, why)] : [];
  },
  ({ config, cluster }) => {
    const domain = obj(cluster.network).dnsDomain;
    if (!config || domain === undefined) return [];
    return typeof domain === 'string' && DNS_DOMAIN.test(domain) && domain.replace(/\./g, '').length <= 255
      ? [] : [p('v1alpha1.cluster.network.dnsDomain', domain, 'is not a valid DNS domain (e.g. cluster.local)')];
  },
  ({ config, cluster }) => (config && (typeof cluster.clusterName !== 'string' || !CLUSTER_NAME.test(cluster.clusterName))
    ? [p('v1alpha1.cluster.clusterName', cluster.clusterName, 'must be a DNS label (lowercase letters, digits, "-"); it names the talosconfig and kubeconfig contexts')] : []),
  ({ controlPlane, cluster }) => {
    const cni = obj(obj(cluster.network).cni);
    if (!controlPlane || Object.keys(cni).length === 0) return [];
    const out: TalosConfigProblem[] = [];
    if (!['flannel', 'custom', 'none'].includes(String(cni.name))) out.push(p('v1alpha1.cluster.network.cni.name', cni.name, 'must be flannel, custom or none'));
    if (cni.name !== 'custom' && arr(cni.urls).length > 0) out.push(p('v1alpha1.cluster.network.cni.urls', cni.urls, `must be empty for CNI ${String(cni.name)}`));
    if (cni.name === 'custom') {
      for (const u of arr(cni.urls)) if (!isValidUrl(u)) out.push(p('v1alpha1.cluster.network.cni.urls', u, 'is not a valid URL'));
    }
    if (cni.flannel && cni.name !== 'flannel') out.push(p('v1alpha1.cluster.network.cni.flannel', cni.flannel, 'is only valid with CNI flannel'));
    return out;
  },
  ({ cluster }) => {
    const names = arr(cluster.inlineManifests).map((m) => obj(m).name);
    return names.flatMap((n, i) => (!n || names.indexOf(n) !== i
      ? [p('v1alpha1.cluster.inlineManifests', n, 'every inline manifest needs a unique, non-empty name')] : []));
  },
  ({ config, cluster }) => (config && obj(cluster.discovery).enabled === true && (!cluster.id || !cluster.secret)
    ? [p('v1alpha1.cluster.discovery', obj(cluster.discovery), 'discovery needs cluster.id and cluster.secret')] : []),
  ({ config, machine }) => {
    if (!config) return [];
    const install = obj(machine.install);
    if (!machine.install) return [p('v1alpha1.machine.install', undefined, 'is required on metal/Proxmox nodes')];
    const out: TalosConfigProblem[] = [];
    if (!install.disk && !install.diskSelector) out.push(p('v1alpha1.machine.install.disk', undefined, 'set install.disk (e.g. /dev/sda) or install.diskSelector'));
    if (arr(install.extraKernelArgs).length > 0 && install.grubUseUKICmdline === true) out.push(p('v1alpha1.machine.install.extraKernelArgs', install.extraKernelArgs, 'conflicts with grubUseUKICmdline: true (Talos >= 1.12); put kernel args in the Image Factory schematic'));
    return out;
  },
  ({ machine }) => {
    const extra = obj(obj(machine.kubelet).extraConfig);
    return Object.keys(extra).filter((k) => KUBELET_EXTRA_CONFIG_FORBIDDEN.includes(k))
      .map((k) => p(`v1alpha1.machine.kubelet.extraConfig.${k}`, extra[k], 'is managed by Talos and must not be overridden'));
  },
  ({ machine }) => Object.entries(obj(machine.nodeLabels)).flatMap(([k, v]) => [
    ...(QUALIFIED_NAME.test(k) ? [] : [p(`v1alpha1.machine.nodeLabels`, k, 'is not a valid Kubernetes label key')]),
    ...(typeof v === 'string' && LABEL_VALUE.test(v) ? [] : [p(`v1alpha1.machine.nodeLabels.${k}`, v, 'is not a valid Kubernetes label value')]),
  ]),
  (ctx) => {
    if (!ctx.config) return [];
    const range = TALOS_KUBERNETES_RANGE[ctx.contract];
    return KUBERNETES_IMAGES.flatMap(([path, get]) => {
      const image = get(ctx);
      if (image === undefined) return [];
      const m = /:v(\d+)\.(\d+)\.(\d+)$/.exec(String(image));
      if (!m) return [p(`v1alpha1.${path}`, image, 'must end in a Kubernetes release tag :vX.Y.Z')];
      const minor = Number(m[2]);
      return range && (Number(m[1]) !== 1 || minor < range.min || minor > range.max)
        ? [p(`v1alpha1.${path}`, image, `is outside what Talos ${ctx.contract} runs (Kubernetes 1.${range.min}-1.${range.max})`)] : [];
    });
  },
  (ctx) => {
    const tags = KUBERNETES_IMAGES.map(([, get]) => get(ctx)).filter((i): i is string => typeof i === 'string').map((i) => i.split(':').pop());
    return new Set(tags).size > 1 ? [p('v1alpha1 Kubernetes images', tags, 'kubelet and control-plane images must carry the same Kubernetes version')] : [];
  },

  // Multi-documents
  (ctx) => ofKind(ctx, 'HostnameConfig').flatMap((d) => {
    const out: TalosConfigProblem[] = [];
    // network.HostnameConfigV1Alpha1.Validate: one of them; both only with auto: off.
    const host = d.hostname === undefined || d.hostname === null || d.hostname === '' ? undefined : String(d.hostname);
    const auto = d.auto === undefined || d.auto === null ? undefined : String(d.auto).toLowerCase(); // Talos' enum parser folds case
    if (auto === undefined && host === undefined) out.push(p('HostnameConfig', d, 'set auto or hostname'));
    if (auto !== undefined && auto !== 'off' && host !== undefined) out.push(p('HostnameConfig', d, 'set auto or hostname, not both (unless auto is off)'));
    if (auto !== undefined && !['stable', 'off'].includes(auto)) out.push(p('HostnameConfig.auto', d.auto, 'must be stable or off'));
    // V1Alpha1ConflictValidate: the v1alpha1 config may not name the hostname too.
    const network = obj(ctx.machine.network);
    if (network.hostname) out.push(p('v1alpha1.machine.network.hostname', network.hostname, 'conflicts with the HostnameConfig document; set the hostname in one place'));
    if (obj(ctx.machine.features).stableHostname === true) out.push(p('v1alpha1.machine.features.stableHostname', true, 'conflicts with the HostnameConfig document; use its auto: stable'));
    // Talos checks the lengths; the characters are ours: the hostname becomes the Kubernetes node name (RFC 1123).
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    if (host !== undefined && (!host.split('.').every((l) => label.test(l)) || host.length > 253 || host.split('.').some((l) => l.length > 63))) {
      out.push(p('HostnameConfig.hostname', d.hostname, 'is not a valid hostname (dot-separated labels of lowercase letters, digits and inner "-", each at most 63 characters, 253 in all)'));
    }
    return out;
  }),
  (ctx) => ofKind(ctx, 'Layer2VIPConfig').flatMap((d) => [
    // Ours, stricter than Talos (which only documents it): a VIP on a worker floats to a node without an API server.
    ...(ctx.worker ? [p(docId(d), d.name, 'a VIP may only be configured on control-plane nodes')] : []),
    ...(isIp(d.name) ? [] : [p(`${docId(d)}.name`, d.name, 'must be the VIP address')]),
    ...(d.link ? [] : [p(`${docId(d)}.link`, undefined, 'is required (name of the link the VIP lives on)')]),
  ]),
  (ctx) => {
    // A VIP's link must be a link this config names (alias or LinkConfig), or Talos finds nothing to put it on.
    const named = new Set([...ofKind(ctx, 'LinkAliasConfig'), ...ofKind(ctx, 'LinkConfig')].map((d) => String(d.name)));
    return ofKind(ctx, 'Layer2VIPConfig').filter((d) => d.link && named.size > 0 && !named.has(String(d.link)))
      .map((d) => p(`${docId(d)}.link`, d.link, `names no link of this config (known: ${[...named].join(', ')})`));
  },
  (ctx) => ofKind(ctx, 'LinkAliasConfig').flatMap((d) => (obj(d.selector).match ? [] : [p(`${docId(d)}.selector.match`, undefined, 'is required (CEL expression matching exactly one link)')])),
  (ctx) => ofKind(ctx, 'LinkConfig').flatMap((d) => [
    ...arr(d.addresses).flatMap((a) => (isCidr(obj(a).address) ? [] : [p(`${docId(d)}.addresses`, obj(a).address, 'must be an address with prefix length, e.g. 10.70.0.21/24')])),
    ...arr(d.routes).flatMap((r) => {
      const route = obj(r);
      if (!route.destination && !route.gateway) return [p(`${docId(d)}.routes`, route, 'a route needs a destination or a gateway')];
      if (route.gateway !== undefined && !isIp(route.gateway)) return [p(`${docId(d)}.routes.gateway`, route.gateway, 'must be an IP address')];
      if (route.destination !== undefined && !isCidr(route.destination)) return [p(`${docId(d)}.routes.destination`, route.destination, 'must be a CIDR')];
      return [];
    }),
  ]),
  (ctx) => ofKind(ctx, 'ResolverConfig').flatMap((d) => arr(d.nameservers).flatMap((n) => (isIp(obj(n).address) ? [] : [p('ResolverConfig.nameservers', obj(n).address, 'must be an IP address')]))),
  (ctx) => ofKind(ctx, 'TimeSyncConfig').flatMap((d) => (d.ntp && d.ptp ? [p('TimeSyncConfig', d, 'ntp and ptp are mutually exclusive')] : [])),
  (ctx) => ofKind(ctx, 'UserVolumeConfig').flatMap(userVolumeProblems),
];

function isValidUrl(u: unknown): boolean {
  try {
    new URL(String(u));
    return true;
  } catch {
    return false;
  }
}

/** Every problem in one machine config (all its documents); empty when Talos would accept it. */
export function checkTalosConfig(documents: readonly Doc[], contract: string): TalosConfigProblem[] {
  const v1 = documents.filter(isV1Alpha1);
  // Without machine, Talos' v1alpha1 Validate stops at "machine instructions are required"; the other documents are still checked.
  const config = v1.length === 1 && v1[0].machine ? v1[0] : undefined;
  const machine = obj(config?.machine);
  // Talos' machine.ParseType: init and controlplane are control planes; worker, join and "" workers.
  const type = machine.type ?? '';
  const ctx: RuleContext = {
    documents, config, machine, cluster: obj(config?.cluster), contract,
    controlPlane: config !== undefined && ['controlplane', 'init'].includes(String(type)),
    worker: config !== undefined && ['worker', 'join', ''].includes(String(type)),
  };
  return rules.flatMap((rule) => rule(ctx));
}

export interface TalosconfigCheckInput {
  readonly endpoints: readonly string[];
  readonly vip: string;
}

/** talosconfig must reach nodes directly: the VIP only answers once etcd runs (research §5). */
export function checkTalosconfigEndpoints({ endpoints, vip }: TalosconfigCheckInput): TalosConfigProblem[] {
  if (endpoints.length === 0) return [p('talosconfig.endpoints', endpoints, 'must list the control-plane node IPs')];
  return endpoints.includes(vip) ? [p('talosconfig.endpoints', vip, 'must not contain the API VIP; list the node IPs')] : [];
}

/** Thrown when generated Talos documents break a rule; names node, field, value and fix. */
export class TalosConfigError extends Error {
  constructor(readonly source: string, readonly problems: readonly TalosConfigProblem[]) {
    super(`invalid Talos config (${source}):\n${problems.map((q) => `  - ${q.path}: ${JSON.stringify(q.value)} ${q.message}`).join('\n')}`);
    this.name = 'TalosConfigError';
  }
}

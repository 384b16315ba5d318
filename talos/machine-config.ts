/**
 * The v1alpha1 machine config `talosctl gen config` writes for the Talos v1.13 contract
 * (research/talos.md §2.1, §2.2, §2.5), plus the few options this project needs. Key order
 * follows the Go structs, so output is byte-identical to Talos' own fixtures for the same inputs.
 */
import type { YamlValue } from './go-yaml';
import { encodePem, TalosSecretsBundle } from './secrets-bundle';
import { POD_SUBNET, SERVICE_SUBNET } from '../charts/common/cluster-contract';

export type MachineType = 'controlplane' | 'worker';
export type TalosDocument = { [key: string]: YamlValue | undefined };

export interface MachineConfigInput {
  readonly machineType: MachineType;
  readonly clusterName: string;
  /** Kubernetes API endpoint, e.g. https://10.70.0.20:6443. */
  readonly endpoint: string;
  /** Kubernetes release without "v", e.g. 1.36.3. */
  readonly kubernetesVersion: string;
  readonly secrets: TalosSecretsBundle;
  /** @default - not set (talosctl's CLI adds /dev/sda; the library does not) */
  readonly installDisk?: string;
  /** @default - not set (talosctl's CLI adds ghcr.io/siderolabs/installer) */
  readonly installImage?: string;
  /** Remove the control-plane NoSchedule taint. @default false */
  readonly allowSchedulingOnControlPlanes?: boolean;
  /** Label control planes node.kubernetes.io/exclude-from-external-load-balancers (Talos >= 1.8 default). @default true */
  readonly excludeFromExternalLoadBalancers?: boolean;
  /** Write `persist: true` as talosctl does; the JSON schema lacks the key and Talos defaults to it. @default false */
  readonly emitPersist?: boolean;
  /** Enforce Kubernetes NetworkPolicy with flannel (kube-network-policies, Talos >= 1.13). @default - CNI left at Talos' default */
  readonly flannelNetworkPolicies?: boolean;
  /** Let pods in these namespaces use the Talos API with these roles (control planes only). @default - feature off */
  readonly talosApiAccess?: { readonly allowedRoles: readonly string[]; readonly allowedKubernetesNamespaces: readonly string[] };
  /**
   * Subnet kubelet and etcd pick their node address from, so a node never advertises an address of
   * another interface. The subnet contains the VIP; Talos itself excludes VIPs from both choices.
   * @default - Talos' choice
   */
  readonly nodeSubnet?: string;
  /** Static hostname; otherwise `auto: stable` as gen config writes. @default - auto: stable */
  readonly hostname?: string;
  /** Further documents, appended after the HostnameConfig. @default - none */
  readonly extraDocuments?: readonly TalosDocument[];
  /** Extra SANs for the Talos API (machine.certSANs) and, on control planes, the Kubernetes API. @default - none */
  readonly additionalSANs?: readonly string[];
  /** Kubernetes DNS domain. @default cluster.local */
  readonly dnsDomain?: string;
  /** Port the API server listens on locally (control planes). @default - Talos' 6443 */
  readonly localAPIServerPort?: number;
  /**
   * Kubelet serving certificates from the cluster CA (`rotate-server-certificates`), requested by
   * CSR; something in the cluster must approve them. Clients can then verify the kubelet's TLS.
   * @default false (self-signed serving certificate, gen config's choice)
   */
  readonly kubeletServingCertificates?: boolean;
  /**
   * Where etcd serves /metrics over plain HTTP (`listen-metrics-urls`), for Prometheus, e.g.
   * http://10.70.0.21:2381: the node's own address, not the VIP; the client port 2379 needs etcd
   * client certificates. @default - none (no metrics listener)
   */
  readonly etcdMetricsUrl?: string;
  /**
   * machine.logging.destinations: where machined sends its own and its services' logs
   * (json_lines over tcp:// or udp://). @default - none (logs stay on the node)
   */
  readonly loggingDestinations?: readonly LoggingDestination[];
  /** Further labels for the Kubernetes node (machine.nodeLabels), e.g. topology region and zone. @default - none */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Kernel sysctls. @default - none */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Extra mounts into the kubelet container. @default - none */
  readonly kubeletExtraMounts?: readonly KubeletExtraMount[];
  /** Custom CNI manifests (cni.name custom); excludes flannelNetworkPolicies. @default - Talos' flannel */
  readonly customCniUrls?: readonly string[];
  /**
   * machine.install.extraKernelArgs. gen config still writes it, but the v1.12+ JSON schema no longer
   * lists it, so output with it fails schema validation; kept to reproduce gen config's "overrides" fixture.
   * @default - none
   */
  readonly installExtraKernelArgs?: readonly string[];
  /** One RegistryMirrorConfig per registry host, written before the HostnameConfig as gen config does. @default - none */
  readonly registryMirrors?: readonly RegistryMirror[];
}

export interface LoggingDestination {
  /** tcp://host:port/ or udp://host:port/. */
  readonly endpoint: string;
  /** The only format Talos sends. */
  readonly format: 'json_lines';
  /** Key-value pairs added to every line. @default - none */
  readonly extraTags?: Readonly<Record<string, string>>;
}

export interface KubeletExtraMount {
  /** Path inside the kubelet container. */
  readonly destination: string;
  /** Mount type, e.g. bind. */
  readonly type: string;
  /** Host path. */
  readonly source: string;
  /** Mount options; bind or rbind is required. */
  readonly options: readonly string[];
}

export interface RegistryMirror {
  /** Registry host being mirrored, e.g. ghcr.io. */
  readonly registry: string;
  /** Mirror endpoint URLs, tried in order. */
  readonly endpoints: readonly string[];
}

const DEFAULT_DNS_DOMAIN = 'cluster.local';

/** v1alpha1 document and the multi-docs that follow it, in the order Talos writes them. */
export function renderMachineConfigDocuments(input: MachineConfigInput): TalosDocument[] {
  const hostnameDoc: TalosDocument = input.hostname
    ? { apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: input.hostname }
    : { apiVersion: 'v1alpha1', kind: 'HostnameConfig', auto: 'stable' };
  const mirrorDocs: TalosDocument[] = (input.registryMirrors ?? []).map((m) => ({
    apiVersion: 'v1alpha1',
    kind: 'RegistryMirrorConfig',
    name: m.registry,
    endpoints: m.endpoints.map((url) => ({ url })),
  }));
  return [renderV1Alpha1(input), ...mirrorDocs, hostnameDoc, ...(input.extraDocuments ?? [])];
}

function renderV1Alpha1(input: MachineConfigInput): TalosDocument {
  const controlPlane = input.machineType === 'controlplane';
  return {
    version: 'v1alpha1',
    debug: false,
    persist: input.emitPersist ? true : undefined,
    machine: renderMachine(input, controlPlane),
    cluster: controlPlane ? renderControlPlaneCluster(input) : renderWorkerCluster(input),
  };
}

function renderMachine(input: MachineConfigInput, controlPlane: boolean): TalosDocument {
  const { secrets } = input;
  const excludeLb = input.excludeFromExternalLoadBalancers ?? true;
  return {
    type: input.machineType,
    token: secrets.trustdInfo.token,
    ca: { crt: encodePem(secrets.certs.os.crt), key: controlPlane ? encodePem(secrets.certs.os.key) : '' },
    certSANs: [...(input.additionalSANs ?? [])],
    kubelet: {
      image: `ghcr.io/siderolabs/kubelet:v${input.kubernetesVersion}`,
      // v1.13 has no KubeletConfig document yet: its docs name this (deprecated) field for it.
      extraArgs: input.kubeletServingCertificates ? { 'rotate-server-certificates': 'true' } : undefined,
      extraMounts: input.kubeletExtraMounts?.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] })),
      defaultRuntimeSeccompProfileEnabled: true,
      nodeIP: input.nodeSubnet ? { validSubnets: [input.nodeSubnet] } : undefined,
      disableManifestsDirectory: true,
    },
    install: {
      disk: input.installDisk,
      extraKernelArgs: input.installExtraKernelArgs ? [...input.installExtraKernelArgs] : undefined,
      image: input.installImage,
      wipe: false,
      grubUseUKICmdline: true,
    },
    sysctls: input.sysctls ? { ...input.sysctls } : undefined,
    // Go struct order: kubernetesTalosAPIAccess is declared before diskQuotaSupport.
    features: {
      kubernetesTalosAPIAccess: controlPlane && input.talosApiAccess
        ? { enabled: true, allowedRoles: [...input.talosApiAccess.allowedRoles], allowedKubernetesNamespaces: [...input.talosApiAccess.allowedKubernetesNamespaces] }
        : undefined,
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: 7445 },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
    },
    // Go struct order: logging follows features (and udev).
    logging: input.loggingDestinations?.length
      ? { destinations: input.loggingDestinations.map((d) => ({ endpoint: d.endpoint, format: d.format, extraTags: d.extraTags ? { ...d.extraTags } : undefined })) }
      : undefined,
    nodeLabels: nodeLabels(input, controlPlane && excludeLb),
  };
}

/** machine.nodeLabels, keys sorted as Go marshals a map; undefined when there is none. */
function nodeLabels(input: MachineConfigInput, excludeLb: boolean): Record<string, string> | undefined {
  const labels: Record<string, string> = {
    ...(excludeLb ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...input.nodeLabels,
  };
  const keys = Object.keys(labels).sort();
  return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, labels[k]])) : undefined;
}

function cni(input: MachineConfigInput): TalosDocument | undefined {
  if (input.customCniUrls && input.flannelNetworkPolicies) {
    throw new Error('customCniUrls and flannelNetworkPolicies exclude each other: a custom CNI replaces flannel');
  }
  if (input.customCniUrls) return { name: 'custom', urls: [...input.customCniUrls] };
  return input.flannelNetworkPolicies ? { name: 'flannel', flannel: { kubeNetworkPoliciesEnabled: true } } : undefined;
}

function clusterNetwork(input: MachineConfigInput): TalosDocument {
  return {
    cni: cni(input),
    dnsDomain: input.dnsDomain ?? DEFAULT_DNS_DOMAIN,
    podSubnets: [POD_SUBNET],
    serviceSubnets: [SERVICE_SUBNET],
  };
}

const DISCOVERY: TalosDocument = { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } };

/** The cluster keys control planes and workers share, in Talos' own key order. */
function clusterIdentity(input: MachineConfigInput): TalosDocument {
  const { secrets } = input;
  const controlPlane = input.machineType === 'controlplane';
  return {
    id: secrets.cluster.id,
    secret: secrets.cluster.secret,
    controlPlane: { endpoint: input.endpoint, localAPIServerPort: controlPlane ? input.localAPIServerPort : undefined },
    clusterName: input.clusterName,
    network: clusterNetwork(input),
    token: secrets.secrets.bootstrapToken,
  };
}

function renderControlPlaneCluster(input: MachineConfigInput): TalosDocument {
  const { secrets, kubernetesVersion: k8s } = input;
  return {
    ...clusterIdentity(input),
    aescbcEncryptionSecret: secrets.secrets.aescbcEncryptionSecret,
    secretboxEncryptionSecret: secrets.secrets.secretboxEncryptionSecret,
    ca: { crt: encodePem(secrets.certs.k8s.crt), key: encodePem(secrets.certs.k8s.key) },
    aggregatorCA: { crt: encodePem(secrets.certs.k8sAggregator.crt), key: encodePem(secrets.certs.k8sAggregator.key) },
    serviceAccount: { key: encodePem(secrets.certs.k8sServiceAccount.key) },
    apiServer: {
      image: `registry.k8s.io/kube-apiserver:v${k8s}`,
      certSANs: input.additionalSANs?.length ? [...input.additionalSANs] : undefined,
      admissionControl: [{
        name: 'PodSecurity',
        // An untyped map in Go, so go-yaml writes its keys sorted.
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1alpha1',
          defaults: {
            audit: 'restricted',
            'audit-version': 'latest',
            enforce: 'baseline',
            'enforce-version': 'latest',
            warn: 'restricted',
            'warn-version': 'latest',
          },
          exemptions: { namespaces: ['kube-system'], runtimeClasses: [], usernames: [] },
          kind: 'PodSecurityConfiguration',
        },
      }],
      auditPolicy: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] },
    },
    controllerManager: { image: `registry.k8s.io/kube-controller-manager:v${k8s}` },
    proxy: { image: `registry.k8s.io/kube-proxy:v${k8s}` },
    scheduler: { image: `registry.k8s.io/kube-scheduler:v${k8s}` },
    discovery: DISCOVERY,
    etcd: {
      ca: { crt: encodePem(secrets.certs.etcd.crt), key: encodePem(secrets.certs.etcd.key) },
      extraArgs: input.etcdMetricsUrl ? { 'listen-metrics-urls': input.etcdMetricsUrl } : undefined,
      advertisedSubnets: input.nodeSubnet ? [input.nodeSubnet] : undefined,
    },
    allowSchedulingOnControlPlanes: input.allowSchedulingOnControlPlanes ? true : undefined,
  };
}

function renderWorkerCluster(input: MachineConfigInput): TalosDocument {
  const { secrets } = input;
  return {
    ...clusterIdentity(input),
    ca: { crt: encodePem(secrets.certs.k8s.crt), key: '' },
    discovery: DISCOVERY,
  };
}

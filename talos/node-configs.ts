/**
 * The site's machine configs, one per Talos node: gen config's v1.13 base (machine-config.ts) for
 * its role, plus hostname, static address, DNS, NTP, the Image Factory nocloud installer, flannel
 * NetworkPolicy enforcement and the local-path data volume (research/proxmox-talos.md §1.6, §3);
 * control planes also get the Layer-2 API VIP, etcd's metrics listener and the Talos API access of
 * the etcd snapshot job, which Talos allows on control planes only.
 */
import { parseCidr, topologyLabels, usesProxmoxCsi } from '../site';
import type { Site } from '../site';
import { SUPPORTED_TALOS_CONTRACT, talosMinor } from '../site/talos-support';
import { PORTS } from '../site/ports';
import { ETCD_BACKUP_NAMESPACE, ETCD_BACKUP_TALOS_ROLE, LOCAL_PATH_VOLUME_NAME, talosLoggingDestination, talosLogsEnabled } from '../charts/common/cluster-contract';
import { renderMachineConfigDocuments, TalosDocument } from './machine-config';
import { installerImage } from './schematic';
import type { TalosSecretsBundle } from './secrets-bundle';
import { talosVmSizing } from './vm-sizing';

/** The Talos contract this generator writes; the site validator refuses any other minor. */
export const SUPPORTED_CONTRACT = SUPPORTED_TALOS_CONTRACT;

/** Link alias every node's single NIC gets, so the VIP can name it. */
export const NODE_LINK_ALIAS = 'net0';

export { LOCAL_PATH_VOLUME_NAME, LOCAL_PATH_HOST_DIR as LOCAL_PATH_HOST_PATH } from '../charts/common/cluster-contract';

/**
 * A locally administered MAC derived from the VMID (02:00 + 4 bytes), so the Proxmox script and
 * the machine config agree on it without a site setting. VMIDs are unique per Proxmox cluster.
 */
export function nodeMacAddress(vmid: number): string {
  const bytes = [0x02, 0x00, (vmid >>> 24) & 0xff, (vmid >>> 16) & 0xff, (vmid >>> 8) & 0xff, vmid & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function apiEndpoint(site: Site): string {
  return `https://${site.talos.vip}:6443`;
}

export function talosContract(site: Site): string {
  return talosMinor(site.talos.version);
}

export interface NodeMachineConfig {
  readonly hostname: string;
  readonly address: string;
  readonly vmid: number;
  readonly documents: TalosDocument[];
}

export function renderNodeMachineConfigs(site: Site, secrets: TalosSecretsBundle): NodeMachineConfig[] {
  if (talosContract(site) !== SUPPORTED_CONTRACT) {
    throw new Error(`talos.version ${JSON.stringify(site.talos.version)}: this generator writes the Talos v${SUPPORTED_CONTRACT} config contract only; set talos.version to a v${SUPPORTED_CONTRACT}.x release`);
  }
  const prefixLength = parseCidr(site.network.cidr).prefixLength;
  const sizing = talosVmSizing(site);
  const largestClaimGiB = Math.max(...sizing.workload.services.map((s) => s.storageGiB));
  return site.talos.nodes.map((node) => {
    const controlPlane = node.role === 'controlplane';
    return {
      hostname: node.hostname,
      address: node.address,
      vmid: node.vmid,
      documents: renderMachineConfigDocuments({
        machineType: node.role,
        clusterName: site.name,
        endpoint: apiEndpoint(site),
        kubernetesVersion: site.kubernetes.version,
        secrets,
        installDisk: site.talos.installDisk,
        installImage: installerImage(site.talos.extensions, site.talos.version),
        allowSchedulingOnControlPlanes: controlPlane,
        // MetalLB announces LoadBalancer IPs only from nodes without this label.
        excludeFromExternalLoadBalancers: false,
        flannelNetworkPolicies: true,
        // Prometheus verifies the kubelets it scrapes; the platform layer approves the CSRs.
        kubeletServingCertificates: true,
        etcdMetricsUrl: controlPlane ? `http://${node.address}:${PORTS.etcdMetrics}` : undefined,
        // Region = the Proxmox cluster, zone = the Proxmox host: what spreading and storage topology read.
        nodeLabels: topologyLabels(site, node),
        // Machine and service logs to the log gateway (charts/syslog/talos-logs.ts reads them).
        loggingDestinations: talosLogsEnabled(site) ? [talosLoggingDestination(site, node.hostname)] : undefined,
        // The etcd snapshot CronJob (platform layer) talks to the Talos API from its namespace.
        talosApiAccess: controlPlane ? { allowedRoles: [ETCD_BACKUP_TALOS_ROLE], allowedKubernetesNamespaces: [ETCD_BACKUP_NAMESPACE] } : undefined,
        nodeSubnet: site.network.cidr,
        hostname: node.hostname,
        extraDocuments: [
          {
            apiVersion: 'v1alpha1',
            kind: 'LinkAliasConfig',
            name: NODE_LINK_ALIAS,
            selector: { match: `mac(link.permanent_addr) == "${nodeMacAddress(node.vmid)}"` },
          },
          {
            apiVersion: 'v1alpha1',
            kind: 'LinkConfig',
            name: NODE_LINK_ALIAS,
            addresses: [{ address: `${node.address}/${prefixLength}` }],
            routes: [{ gateway: site.network.gateway }],
          },
          // The API VIP follows the API servers: control planes only (Talos documents it for them alone).
          ...(controlPlane ? [{ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: site.talos.vip, link: NODE_LINK_ALIAS }] : []),
          { apiVersion: 'v1alpha1', kind: 'ResolverConfig', nameservers: site.network.dnsServers.map((address) => ({ address })) },
          { apiVersion: 'v1alpha1', kind: 'TimeSyncConfig', ntp: { servers: [...site.network.ntpServers] } },
          // The local-path data volume; with the Proxmox CSI plugin each claim is its own attached disk.
          ...(usesProxmoxCsi(site) ? [] : [{
            apiVersion: 'v1alpha1',
            kind: 'UserVolumeConfig',
            name: LOCAL_PATH_VOLUME_NAME,
            provisioning: {
              diskSelector: { match: `!system_disk && disk.dev_path == "${site.talos.dataDisk}"` },
              // grow takes the whole disk; minSize makes provisioning fail if even the largest claim would not fit.
              grow: true,
              minSize: `${largestClaimGiB}GiB`,
            },
            filesystem: { type: 'xfs' },
          }]),
        ],
      }),
    };
  });
}

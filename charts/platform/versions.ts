/**
 * Third-party platform components, pinned by version (bump deliberately, in one place).
 * MetalLB's chart version equals its app version; 0.16.1 is also the release whose CRDs
 * (../shared/schemas/crds/metallb) the IPAddressPool and L2Advertisement are validated against.
 */
export const PLATFORM_VERSIONS = {
  metallbChart: { repoUrl: 'https://metallb.github.io/metallb', chart: 'metallb', version: '0.16.1' },
  /**
   * The Proxmox CSI plugin's chart, from its OCI registry only (no HTTPS chart repository); chart
   * 0.5.9 is app v0.19.1, whose images it pins by tag.
   */
  proxmoxCsiChart: { url: 'oci://ghcr.io/sergelogvinov/charts/proxmox-csi-plugin', chart: 'proxmox-csi-plugin', version: '0.5.9', appVersion: 'v0.19.1' },
  localPathProvisioner: { repository: 'docker.io/rancher/local-path-provisioner', tag: 'v0.0.33' },
  /** Helper pod that creates and deletes volume directories on the node. */
  busybox: { repository: 'docker.io/library/busybox', tag: '1.37.0' },
  /** Approves the kubelets' serving-certificate CSRs after checking their names and addresses. */
  kubeletCsrApprover: { repository: 'ghcr.io/postfinance/kubelet-csr-approver', tag: 'v1.2.14' },
  /** talosctl follows the cluster's Talos release (site.talos.version). */
  talosctlRepository: 'ghcr.io/siderolabs/talosctl',
} as const;

export function localPathProvisionerImage(): string {
  const i = PLATFORM_VERSIONS.localPathProvisioner;
  return `${i.repository}:${i.tag}`;
}

export function busyboxImage(): string {
  const i = PLATFORM_VERSIONS.busybox;
  return `${i.repository}:${i.tag}`;
}

export function kubeletCsrApproverImage(): string {
  const i = PLATFORM_VERSIONS.kubeletCsrApprover;
  return `${i.repository}:${i.tag}`;
}

/**
 * The operator's Secret with the Proxmox CSI plugin's API token (kubernetes.proxmoxCsi.tokenSecret,
 * namespace csi-proxmox): its keys, and where the plugin's controller reads them as files.
 */
export const PROXMOX_CSI_TOKEN_KEYS = { id: 'token_id', secret: 'token_secret' } as const;
/** Mount directory of the Secret in the controller (not under /etc/proxmox/, the chart's own config mount). */
export const PROXMOX_CSI_TOKEN_DIR = '/etc/proxmox-token';

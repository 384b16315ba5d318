/**
 * Issue 14's topology with what has landed of it: three Proxmox hosts, three control planes (one
 * per host) and two workers, volumes from the Proxmox CSI plugin (local-lvm on every host, and a
 * Ceph RBD pool every host reaches), Prometheus and Grafana with two replicas, Alertmanager with three,
 * Loki simple-scalable on an S3 bucket (write 3, read 2, backend 3), claiming to survive any one host.
 */
import { parseSite, type SiteInput } from '../../site';
import { WORKERS_SITE_INPUT } from './workers-site';

export const CSI_SITE_INPUT: SiteInput = {
  ...WORKERS_SITE_INPUT,
  kubernetes: {
    storage: 'proxmox-csi',
    storageClass: 'proxmox-local',
    proxmoxCsi: {
      apiUrl: 'https://pve.homelab.lan:8006',
      storages: [
        { id: 'local-lvm', storageClass: 'proxmox-local', shared: false, ssd: true },
        { id: 'ceph-rbd', storageClass: 'proxmox-ceph', shared: true, fstype: 'ext4' },
      ],
    },
  },
  prometheus: { replicas: 2 },
  alertmanager: { replicas: 3 },
  grafana: { replicas: 2, storage: 'ephemeral' },
  loki: { mode: 'simple-scalable', objectStorage: { endpoint: 's3.homelab.lan:9000', bucket: 'loki-logs' } },
  // What it is built for, held to by the site validator.
  availability: { tolerate: 'host' },
};

export const CSI_SITE = parseSite(CSI_SITE_INPUT).site;

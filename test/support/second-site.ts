/**
 * A complete second site: every field the schema has is set, and every value differs from the
 * default (the report's), so a value that does not follow the site shows up as a default in the
 * output. test/site/every-field.test.ts checks that this covers every schema field.
 */
import type { SiteInput } from '../../site';

export const SECOND_SITE: SiteInput = {
  name: 'lab-observability',
  proxmox: {
    apiUrl: 'https://192.168.50.5:8443',
    node: 'hv-east',
    hostAddress: '192.168.50.5',
    allocated: { vcpu: 24, memoryGB: 40, diskGB: 300 },
    used: { memoryGB: 12.5, diskGB: 90 },
    capacity: { vcpu: 48, memoryGB: 192, diskGB: 4000 },
    guestCount: 6,
    guests: [
      // Roles in another order than the default guests', so no index keeps its default role.
      { vmid: 302, name: 'nms', role: 'checkmk', cores: 3, memoryGB: 3, diskGB: 12, address: '192.168.50.32' },
      { vmid: 301, name: 'siem', role: 'wazuh', cores: 6, memoryGB: 8, diskGB: 60, address: '192.168.50.31' },
      { vmid: 305, name: 'tunnel-east', role: 'tunnel', address: '192.168.50.35' },
      { vmid: 303, name: 'status', role: 'uptime-kuma', cores: 1.5, memoryGB: 1.5, diskGB: 4, address: '192.168.50.33' },
      { vmid: 304, name: 'edge', role: 'reverse-proxy', address: '192.168.50.34' },
      { vmid: 306, name: 'builder', role: 'other', address: '192.168.50.36' },
    ],
    storage: 'zfs-fast',
    bridge: 'vmbr2',
    cluster: 'lab-cluster',
    // Two more hosts, one talos node each: every node gets its own zone.
    additionalHosts: [
      { node: 'hv-west', address: '192.168.50.6', apiUrl: 'https://192.168.50.6:8443', storage: 'ceph-vm', bridge: 'vmbr3', capacity: { vcpu: 32, memoryGB: 128, diskGB: 2000 } },
      { node: 'hv-north', address: '192.168.50.7' },
    ],
  },
  network: {
    vlanId: 42,
    cidr: '172.20.42.0/24',
    gateway: '172.20.42.254',
    dhcpRange: { start: '172.20.42.150', end: '172.20.42.240' },
    managementCidr: '192.168.50.0/24',
    dnsServers: ['172.20.42.53'],
    ntpServers: ['ntp.lab.example'],
  },
  kubernetes: { version: '1.35.6', namespace: 'observability', storageClass: 'node-disk' },
  prometheus: {
    address: '172.20.42.30', cpu: 6, memoryGiB: 12, storageGiB: 160, retention: '45d', scrapeInterval: '20s', evaluationInterval: '40s',
    webAuthSecret: 'prom-login', externalUrl: 'https://prometheus.lab.example/', replicas: 2,
    remoteWrite: [
      { name: 'lab-mimir', url: 'https://mimir.lab.example/api/v1/push', authSecret: 'mimir-push', headers: { 'X-Scope-OrgID': 'lab' } },
      { name: 'archive', url: 'http://172.20.42.90:19291/api/v1/receive' },
    ],
  },
  grafana: { address: '172.20.42.31', cpu: 3, memoryGiB: 3, storageGiB: 20, externalUrl: 'https://grafana.lab.example', adminSecret: 'dash-admin', storage: 'ephemeral', replicas: 2 },
  loki: { address: '172.20.42.32', cpu: 3, memoryGiB: 6, storageGiB: 120, retention: '10d' },
  alertmanager: {
    address: '172.20.42.33', cpu: 1, memoryGiB: 1, storageGiB: 5, retention: '240h', webAuthSecret: 'am-login', replicas: 3,
    externalUrl: 'https://alerts.lab.example/',
    runbookBaseUrl: 'https://wiki.lab.example/monitoring/runbooks.html',
    heartbeat: { urlSecret: 'deadmans-snitch', interval: '3m' },
    receivers: {
      webhooks: [
        { name: 'chat', urlSecret: 'chat-hook', sendResolved: false, severities: ['critical'] },
        { name: 'ticket', url: 'https://tickets.lab.example/hooks/alertmanager', severities: ['warning', 'info'] },
      ],
      emails: [{
        name: 'oncall', to: 'oncall@lab.example', from: 'am@lab.example', smarthost: 'smtp.lab.example:2525',
        authUsername: 'am', authPasswordSecret: 'smtp-login', requireTls: false, severities: ['critical', 'warning', 'info'],
      }],
    },
  },
  syslog: { port: 6514, tcp: false },
  talos: {
    version: 'v1.13.8',
    vip: '172.20.42.40',
    nodes: [
      { hostname: 'kube-a', address: '172.20.42.41', vmid: 441, host: 'hv-east', role: 'controlplane' },
      { hostname: 'kube-b', address: '172.20.42.42', vmid: 442, host: 'hv-west', role: 'controlplane' },
      { hostname: 'kube-c', address: '172.20.42.43', vmid: 443, host: 'hv-north', role: 'controlplane' },
    ],
    installDisk: '/dev/vda',
    dataDisk: '/dev/vdb',
    extensions: ['siderolabs/iscsi-tools', 'siderolabs/qemu-guest-agent'],
    secretsDir: '.keys',
  },
  gitops: { repoUrl: 'git@forge.lab.example:infra/observability.git', branch: 'production', path: 'clusters/east', sshKeySecret: 'forge-key' },
  // The switches stay on (booleans are exempt from "differs"): every integration is exercised.
  integrations: {
    wazuh: { enabled: true, minRuleLevel: 12 },
    uptimeKuma: { enabled: true, port: 3301, apiKeySecret: 'status-metrics-key' },
    checkmk: { enabled: true },
    logs: { pods: true, events: true, talos: true },
  },
  backups: { schedule: '30 3 * * 1-6', retentionDays: 5, velero: true },
};

/**
 * The second site with SOPS encryption on, every secrets field set: only synthesizeAll writes
 * encrypted files (synthesize() is synchronous and refuses such a site), so the many tests that
 * synthesize SECOND_SITE with it keep encryption off, and the every-field test uses this one
 * (with the Proxmox CSI plugin instead of local-path).
 * Public keys only: whoever needs to decrypt in a test makes its own key pair.
 */
export const SECOND_SITE_ENCRYPTED: SiteInput = {
  ...SECOND_SITE,
  // Volumes from the Proxmox CSI plugin here (the plain second site keeps local-path): every
  // field of the schema is set in this one, and the operator's token Secret is SOPS-encrypted too.
  kubernetes: {
    ...SECOND_SITE.kubernetes,
    storage: 'proxmox-csi',
    proxmoxCsi: {
      apiUrl: 'https://pve.lab.example:8443', insecure: false, tokenSecret: 'pve-csi-login', controllerReplicas: 3,
      storages: [
        { id: 'lvm-thin', storageClass: 'node-disk', shared: false, fstype: 'ext4', ssd: true },
        { id: 'rbd', storageClass: 'shared-disk', shared: true, fstype: 'xfs', ssd: false },
      ],
    },
  },
  // Loki on an S3 bucket (the plain second site keeps the single binary), whose credentials Secret
  // is SOPS-encrypted too; with every service replicated the site claims to survive a lost host.
  loki: {
    ...SECOND_SITE.loki,
    mode: 'simple-scalable', walVolumeGiB: 12, backendVolumeGiB: 8,
    objectStorage: { endpoint: 's3.lab.example', bucket: 'lab-loki-chunks', region: 'lab-east-1', insecure: true, forcePathStyle: false, credentialsSecret: 'loki-bucket-key' },
  },
  availability: { tolerate: 'host' },
  secrets: {
    encryption: 'sops-age',
    ageRecipients: ['age1udacvgnj654e4taa0jk3du7fvk2g4x996jakdlu9npg9jdhm8ewqw7ewgy', 'age1pk7zggzl0vrwn6953hwmkv3cgg6e5nfn742ff4hfpjd9w3wwc4fq8e3gq7'],
    fluxKeySecret: 'flux-age-key',
    argocd: 'none',
  },
};

/**
 * SECOND_SITE with one pod per service: what a host or VM takes with it is then exactly what is
 * planned on its VM, and the VMs keep the size of four single pods.
 */
export const SECOND_SITE_SINGLE_PODS: SiteInput = {
  ...SECOND_SITE,
  prometheus: { ...SECOND_SITE.prometheus, replicas: 1 },
  alertmanager: { ...SECOND_SITE.alertmanager, replicas: 1 },
  grafana: { ...SECOND_SITE.grafana, replicas: 1, storage: 'volume' },
};

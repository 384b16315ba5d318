/**
 * The site description: one zod schema is the single source for the TypeScript type, the
 * validator and the published `site.schema.json`. Every default is a figure from the assessment
 * report (`assessment-mon-001.md`) unless it is listed in `ASSUMED_DEFAULTS` (site/assumed.ts),
 * where the report is silent and we had to choose.
 */
import * as z from 'zod';
import { ageRecipient, ipv4, cidr, cronSchedule, duration, dnsLabel, gitUrl, httpUrl, repoPath } from './primitives';

/**
 * A Proxmox storage ID as Proxmox parses one (pve-storage-id: `^[a-z][a-z0-9\-_.]*[a-z0-9]$`,
 * case-insensitive), so a typo fails here and not at `qm create` or in the CSI plugin.
 */
const storageId = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]$/, {
  error: 'expected a Proxmox storage ID (pvesm status) such as local-lvm: a letter, then letters, digits, ".", "_" or "-", ending in a letter or digit',
});

/** One Proxmox storage the CSI plugin provisions from, as one StorageClass. */
const proxmoxCsiStorage = z.strictObject({
  id: storageId.describe('Proxmox storage ID (pvesm status), e.g. local-lvm, local-zfs, ceph-rbd'),
  storageClass: dnsLabel.describe('Name of the StorageClass for it'),
  shared: z.boolean().default(false).describe('Whether every Proxmox host reaches the storage (Ceph RBD, NFS): a volume may then follow its pod to another host; local-lvm and local ZFS stay on theirs'),
  fstype: z.enum(['ext4', 'xfs']).default('xfs').describe('Filesystem the plugin formats the disk with'),
  ssd: z.boolean().default(false).describe('SSD emulation and discard on the disk (thin storages give freed space back)'),
});

const proxmoxCsi = z.strictObject({
  apiUrl: httpUrl.describe('Proxmox API of the cluster the plugin talks to, e.g. https://pve.example.lan:8006 (/api2/json is appended); best a name or VIP that follows the surviving hosts'),
  insecure: z.boolean().default(true).describe('Skip TLS verification (Proxmox\' self-signed certificate); false once the API has a trusted certificate'),
  tokenSecret: dnsLabel.default('proxmox-csi-token').describe('Secret in namespace csi-proxmox with keys token_id (kubernetes-csi@pve!csi) and token_secret (created out of band)'),
  controllerReplicas: z.number().int().min(1).max(3).default(2).describe('Controller pods (leader election): with 2 a lost VM does not stop provisioning and attaching'),
  storages: z.array(proxmoxCsiStorage).min(1, { error: 'give at least one Proxmox storage to provision from' }),
});

/** Sizing of one service, the report's LXC figures kept as Kubernetes requests. */
function serviceSizing(d: { address: string; cpu: number; memoryGiB: number; storageGiB: number }) {
  return {
    address: ipv4.default(d.address).describe('Static IP on the monitoring VLAN (LoadBalancer IP on Kubernetes, container IP on LXC)'),
    // 0.001 is the finest step the manifests write (1m of CPU, 1Mi of memory): less would become 0.
    cpu: z.number().min(0.001, { error: 'expected at least 0.001 (1m, the finest CPU request Kubernetes takes)' }).max(256).default(d.cpu).describe('vCPU: CPU request on Kubernetes, cores on LXC'),
    memoryGiB: z.number().min(0.001, { error: 'expected at least 0.001 GiB (1Mi)' }).max(1024).default(d.memoryGiB).describe('Memory in GiB: request and limit on Kubernetes, memory on LXC'),
    storageGiB: z.number().int().positive().max(65536).default(d.storageGiB).describe('Persistent volume size in GiB (PVC on Kubernetes, rootfs on LXC)'),
  };
}

/** Severities a receiver gets (charts/prometheus/rules/alert.ts has the policy); info goes nowhere but the UI unless asked for. */
const receiverSeverities = z.array(z.enum(['critical', 'warning', 'info'])).min(1).default(['critical', 'warning'])
  .describe('Alert severities sent to this receiver: critical pages now, warning is a ticket within a working day, info informs');

const webhookReceiver = z.strictObject({
  name: dnsLabel.describe('Receiver name used in alertmanager.yml'),
  url: httpUrl.optional().describe('Webhook URL without credentials (it is written into a ConfigMap in git)'),
  urlSecret: dnsLabel.optional().describe('Secret (key "url") holding a URL that carries a token (Slack, Discord, Teams); Alertmanager reads it as a file'),
  sendResolved: z.boolean().default(true),
  severities: receiverSeverities,
}).refine((w) => (w.url === undefined) !== (w.urlSecret === undefined), {
  error: 'give exactly one of url (no credentials in it) or urlSecret (a Secret with key "url")',
});

const emailReceiver = z.strictObject({
  name: dnsLabel,
  to: z.email().describe('Recipient address'),
  from: z.email().describe('Sender address'),
  smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'expected host:port, e.g. smtp.example.com:587' }),
  authUsername: z.string().min(1).optional(),
  /** The password is read from this Secret key (mounted file), never written into alertmanager.yml. */
  authPasswordSecret: z.string().min(1).optional().describe('Secret (in the monitoring namespace) holding the SMTP password under key "password"'),
  requireTls: z.boolean().default(true),
  severities: receiverSeverities,
});

const guest = z.strictObject({
  vmid: z.number().int().min(100).max(999999999),
  name: dnsLabel,
  role: z.enum(['wazuh', 'checkmk', 'uptime-kuma', 'reverse-proxy', 'tunnel', 'other']).default('other'),
  cores: z.number().positive().optional().describe('vCPU allocated (from the report where it says)'),
  memoryGB: z.number().positive().optional(),
  diskGB: z.number().positive().optional(),
  address: ipv4.optional().describe('Guest IP, used for node_exporter and service scrape targets'),
});

const talosNode = z.strictObject({
  hostname: dnsLabel,
  address: ipv4,
  vmid: z.number().int().min(100).max(999999999),
  host: dnsLabel.optional().describe('Proxmox node the VM runs on: proxmox.node or one of proxmox.additionalHosts[].node; default proxmox.node'),
  role: z.enum(['controlplane', 'worker']).default('controlplane').describe('controlplane: an etcd member and Kubernetes API server (3 or 5 of them, behind talos.vip); worker: kubelet only. Both run the stack'),
});

const bridgeName = z.string().regex(/^vmbr\d+$/, { error: 'expected a Proxmox bridge name such as vmbr0' });

/** A remote storage Prometheus pushes every sample to (Mimir, Thanos Receive, VictoriaMetrics, another Prometheus). */
const remoteWrite = z.strictObject({
  name: dnsLabel.describe('Name of the queue: Prometheus\' remote_name label on its metrics and alerts'),
  url: httpUrl.describe('The receiver\'s push endpoint, e.g. https://mimir.example.com/api/v1/push, http://thanos-receive:19291/api/v1/receive'),
  authSecret: dnsLabel.optional().describe('Secret in the stack namespace with keys username and password for HTTP basic auth (made by the operator; on LXC the files /etc/prometheus/remote-write/<secret>/username and password); default: no authentication'),
  headers: z.record(
    z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'expected an HTTP header name such as X-Scope-OrgID' }),
    z.string().regex(/^[^\r\n]*$/, { error: 'expected a header value on one line (no line breaks)' }),
  ).optional()
    .describe('Extra HTTP headers on every push, e.g. X-Scope-OrgID: <tenant> for Mimir or THANOS-TENANT for Thanos Receive; not Authorization or the headers Prometheus sets itself'),
});

/** The S3-compatible bucket simple-scalable Loki keeps chunks, index and delete requests in. */
const lokiObjectStorage = z.strictObject({
  endpoint: z.string().regex(/^[A-Za-z0-9.-]+(?::\d{1,5})?$/, { error: 'expected host or host:port without a scheme, e.g. s3.lab.example:9000 or s3.eu-central-1.amazonaws.com' })
    .describe('S3 endpoint, host[:port] without scheme (MinIO, Garage, SeaweedFS, Ceph RGW, AWS); https unless insecure'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"' })
    .describe('Bucket for Loki alone (created out of band); the compactor deletes what retention expires'),
  region: z.string().regex(/^[a-z0-9-]+$/, { error: 'expected an S3 region such as us-east-1' }).default('us-east-1').describe('Region the bucket is in (most self-hosted S3 ignore it)'),
  insecure: z.boolean().default(false).describe('Plain HTTP to the endpoint (a MinIO on the monitoring VLAN without TLS)'),
  forcePathStyle: z.boolean().default(true).describe('Path-style requests (endpoint/bucket); self-hosted S3 needs it, AWS works either way'),
  credentialsSecret: dnsLabel.default('loki-s3').describe('Secret in the stack namespace with keys access-key-id and secret-access-key (created out of band)'),
});

/** A further Proxmox host of the same Proxmox cluster; proxmox.node is the first. */
const proxmoxHost = z.strictObject({
  node: dnsLabel.describe('Proxmox node name; the Talos nodes on it get it as their topology zone'),
  address: ipv4.describe('Host address (node_exporter target, syslog source, pve_exporter target)'),
  apiUrl: httpUrl.optional().describe('This host\'s Proxmox API URL; default https://<address>:8006'),
  storage: storageId.optional().describe('Proxmox storage for the Talos VM disks on this host; default proxmox.storage'),
  bridge: bridgeName.optional().describe('Bridge of the Talos VMs on this host; default proxmox.bridge'),
  capacity: z.strictObject({
    vcpu: z.number().positive().optional(),
    memoryGB: z.number().positive().optional(),
    diskGB: z.number().positive().optional(),
  }).optional().describe('Physical capacity of this host, for the comparison\'s share of it taken by the Talos VMs there; default: not given'),
});

export const SiteSchema = z.strictObject({
  name: dnsLabel.default('pve01-monitoring').describe('Site and cluster name (DNS label)'),

  proxmox: z.strictObject({
    apiUrl: httpUrl.default('https://10.88.140.151:8006').describe('Proxmox API URL (report: cluster URL)'),
    node: dnsLabel.default('pve01'),
    hostAddress: ipv4.default('10.88.140.151').describe('Proxmox host address (pve_exporter target, syslog source)'),
    allocated: z.strictObject({
      vcpu: z.number().nonnegative().default(18),
      memoryGB: z.number().nonnegative().default(17.5),
      diskGB: z.number().nonnegative().default(71),
    }).prefault({}).describe('What pve01 had allocated to guests at assessment time'),
    used: z.strictObject({
      memoryGB: z.number().nonnegative().default(4.1),
      diskGB: z.number().nonnegative().default(26.8),
    }).prefault({}),
    capacity: z.strictObject({
      vcpu: z.number().positive().optional(),
      memoryGB: z.number().positive().optional(),
      diskGB: z.number().positive().optional(),
    }).prefault({}).describe('Physical capacity of the host. The report does not state it: leave unset for "unknown"'),
    guestCount: z.number().int().nonnegative().default(9).describe('LXC guests running on the node (report: 9)'),
    guests: z.array(guest).default([
      { vmid: 101, name: 'wazuh', role: 'wazuh', cores: 4, memoryGB: 4, diskGB: 24, address: '10.88.140.101' },
      { vmid: 103, name: 'checkmk', role: 'checkmk', cores: 2, memoryGB: 2, diskGB: 5, address: '10.88.140.103' },
      { vmid: 106, name: 'uptime-kuma', role: 'uptime-kuma', cores: 1, memoryGB: 1, diskGB: 3, address: '10.88.140.106' },
      { vmid: 107, name: 'nginx-proxy-manager', role: 'reverse-proxy', address: '10.88.140.107' },
      { vmid: 108, name: 'cloudflare-tunnel', role: 'tunnel', address: '10.88.140.108' },
    ]).describe('Known guests; the report names five of the nine'),
    storage: storageId.default('local-lvm').describe('Proxmox storage for VM and container disks'),
    bridge: bridgeName.default('vmbr0'),
    cluster: dnsLabel.optional().describe('Proxmox cluster name (Datacenter > Cluster): the topology region label of the Talos nodes; default the site name. Setting it (or additionalHosts) labels the nodes with region and zone'),
    additionalHosts: z.array(proxmoxHost).default([]).describe('Further Proxmox hosts of the same Proxmox cluster that carry Talos VMs (talos.nodes[].host); the LXC path and the figures above stay on proxmox.node'),
  }).prefault({}),

  network: z.strictObject({
    vlanId: z.number().int().min(1).max(4094).default(70),
    cidr: cidr.default('10.70.0.0/24'),
    gateway: ipv4.default('10.70.0.1'),
    dhcpRange: z.strictObject({ start: ipv4.default('10.70.0.100'), end: ipv4.default('10.70.0.200') }).prefault({}),
    managementCidr: cidr.default('10.88.140.0/24').describe('Management VLAN allowed to reach Grafana (3000) and Prometheus (9090)'),
    dnsServers: z.array(ipv4).min(1).default(['10.70.0.1']),
    ntpServers: z.array(z.string().min(1)).min(1).default(['time.cloudflare.com']),
  }).prefault({}),

  kubernetes: z.strictObject({
    version: z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'expected a Kubernetes release such as 1.31.14' }).default('1.36.3'),
    namespace: dnsLabel.default('monitoring'),
    storageClass: dnsLabel.default('local-path').describe('StorageClass of every PVC: with storage proxmox-csi one of proxmoxCsi.storages[].storageClass'),
    storage: z.enum(['local-path', 'proxmox-csi']).default('local-path')
      .describe('Who provides the volumes: local-path (a data disk on every Talos VM, each volume on one node for good) or proxmox-csi (the Proxmox CSI plugin: one Proxmox disk per claim, attached to the VM the pod runs on)'),
    proxmoxCsi: proxmoxCsi.optional().describe('The Proxmox CSI plugin (sergelogvinov/proxmox-csi-plugin), required with storage proxmox-csi'),
  }).prefault({}),

  prometheus: z.strictObject({
    ...serviceSizing({ address: '10.70.0.10', cpu: 4, memoryGiB: 8, storageGiB: 100 }),
    retention: duration.default('15d').describe('TSDB retention time (report: 15 days)'),
    scrapeInterval: duration.default('15s').describe('Global scrape interval (report growth estimate assumes 15s)'),
    evaluationInterval: duration.default('30s'),
    webAuthSecret: dnsLabel.default('prometheus-web-auth').describe('Secret with web.yml (bcrypt basic_auth_users) and password for clients (Grafana, its own scrape, its probes)'),
    externalUrl: httpUrl.optional().describe('URL in the links Prometheus generates (alert sources in notifications); default http://<address>:9090/'),
    remoteWrite: z.array(remoteWrite).default([]).describe('Remote storages Prometheus also writes every sample to, each with the external label site=<name>; its own TSDB and retention stay as they are'),
    replicas: z.number().int().min(1).max(3).default(1).describe('Prometheus pods, each scraping everything into its own TSDB volume (full size each) with the external label replica=<pod>, one per zone (Proxmox host; per node on one host); Kubernetes only, the LXC path keeps one container'),
  }).prefault({}),

  grafana: z.strictObject({
    ...serviceSizing({ address: '10.70.0.11', cpu: 2, memoryGiB: 4, storageGiB: 50 }),
    externalUrl: httpUrl.default('https://monitoring.yourdomain.com').describe('Public URL (through Nginx Proxy Manager or Cloudflare Tunnel)'),
    adminSecret: dnsLabel.default('grafana-admin').describe('Secret with keys admin-user and admin-password (created out of band)'),
    storage: z.enum(['volume', 'ephemeral']).default('volume')
      .describe('Where Grafana keeps its SQLite database: a volume (storageGiB; users, stars and UI-made dashboards survive restarts) or ephemeral (emptyDir: everything comes from the provisioning in Git, UI changes are lost on restart)'),
    replicas: z.number().int().min(1).max(2).default(1).describe('Grafana pods, one per zone (Proxmox host; per node on one host); 2 needs storage ephemeral (each pod its own database, all provisioned from Git); Kubernetes only'),
  }).prefault({}),

  loki: z.strictObject({
    ...serviceSizing({ address: '10.70.0.12', cpu: 4, memoryGiB: 8, storageGiB: 100 }),
    retention: duration.default('14d').describe('Log retention (report: 7-14 days); a whole number of days'),
    mode: z.enum(['single-binary', 'simple-scalable']).default('single-binary')
      .describe('single-binary: one pod with every target on a volume (storageGiB). simple-scalable: write (3 pods), read (2) and backend (3) on objectStorage, replication factor 3 over 3 failure domains, so losing one Proxmox host (node on one host) loses no logs and stops no query; Kubernetes only, the LXC path keeps one container'),
    objectStorage: lokiObjectStorage.optional().describe('The S3 bucket of simple-scalable Loki (required there)'),
    walVolumeGiB: z.number().int().positive().max(65536).default(10).describe('simple-scalable: each write pod\'s volume (write-ahead log, unflushed chunks), in GiB'),
    backendVolumeGiB: z.number().int().positive().max(65536).default(10).describe('simple-scalable: each backend pod\'s volume (compactor working directory, index cache), in GiB'),
  }).prefault({}),

  alertmanager: z.strictObject({
    ...serviceSizing({ address: '10.70.0.13', cpu: 2, memoryGiB: 4, storageGiB: 50 }),
    retention: duration.default('720h').describe('Alert history retention (report: 30 days)'),
    webAuthSecret: dnsLabel.default('alertmanager-web-auth').describe('Secret with web.yml (bcrypt basic_auth_users) and password for clients'),
    externalUrl: httpUrl.optional().describe('URL in the links Alertmanager puts into notifications; default http://<address>:9093/'),
    replicas: z.number().int().min(1).max(5).default(1).describe('Alertmanager pods gossiping silences and notifications as one cluster (port 9094 TCP and UDP), one per zone (Proxmox host; per node on one host); every Prometheus sends to each; Kubernetes only'),
    runbookBaseUrl: httpUrl.optional().describe('URL of the runbooks document (docs/runbooks.md) that every alert\'s runbook_url points into, with #<alertname> appended; default: that file in gitops.repoUrl on gitops.branch as GitHub and GitLab show it (<repo>/blob/<branch>/docs/runbooks.md, an SSH URL read as https on its host)'),
    receivers: z.strictObject({
      webhooks: z.array(webhookReceiver).default([]),
      emails: z.array(emailReceiver).default([]),
    }).prefault({}),
    heartbeat: z.strictObject({
      urlSecret: dnsLabel.describe('Secret (key "url") with the ping URL of a dead man\'s switch (healthchecks.io, Dead Man\'s Snitch); Alertmanager reads it as a file'),
      interval: duration.default('1m').describe('How often the always-firing Watchdog alert pings it; give the switch this period plus a grace'),
    }).optional().describe('Dead man\'s switch: without one, nobody is told when Prometheus or Alertmanager itself is down'),
  }).prefault({}),

  syslog: z.strictObject({
    port: z.number().int().min(1).max(65535).default(514).describe('Syslog port open to all VLANs (report: UDP 514)'),
    tcp: z.boolean().default(true).describe('Also accept RFC 5425 syslog over TCP on the same port'),
  }).prefault({}),

  talos: z.strictObject({
    version: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: 'expected a Talos release such as v1.13.9' }).default('v1.13.9'),
    vip: ipv4.default('10.70.0.20').describe('Layer-2 VIP for the Kubernetes API'),
    nodes: z.array(talosNode).describe('The Talos VMs: 3 or 5 control planes, which also run the stack, and any number of workers (role: worker)').default([
      { hostname: 'talos-cp-1', address: '10.70.0.21', vmid: 211, role: 'controlplane' },
      { hostname: 'talos-cp-2', address: '10.70.0.22', vmid: 212, role: 'controlplane' },
      { hostname: 'talos-cp-3', address: '10.70.0.23', vmid: 213, role: 'controlplane' },
    ]),
    installDisk: z.string().regex(/^\/dev\/[a-z0-9]+$/).default('/dev/sda'),
    dataDisk: z.string().regex(/^\/dev\/[a-z0-9]+$/).default('/dev/sdb'),
    extensions: z.array(z.string().regex(/^siderolabs\/[a-z0-9-]+$/)).default(['siderolabs/qemu-guest-agent']),
    secretsDir: z.string().min(1).default('.secrets').describe('Git-ignored directory for the secrets bundle and machine configs'),
  }).prefault({}),

  gitops: z.strictObject({
    repoUrl: gitUrl.default('https://git.example.com/homelab/monitoring.git').describe('Repository Argo CD and Flux read dist/ from'),
    branch: z.string().regex(/^[\w./-]+$/, { error: 'expected a branch name such as main' }).default('main'),
    path: repoPath.default('dist').describe('Where dist/ lives inside that repository'),
    sshKeySecret: dnsLabel.default('monitoring-git-ssh').describe('For an SSH repository URL: the Secret in flux-system holding the deploy key (Flux GitRepository secretRef; see the README for Argo CD)'),
  }).prefault({}),

  secrets: z.strictObject({
    encryption: z.enum(['none', 'sops-age']).default('none').describe(
      'none: Secrets stay in the git-ignored secrets directory and are applied by hand. sops-age: they are also written into dist/ encrypted with SOPS to the age recipients (Flux decrypts them), with the Talos bundle and talosconfig (docs/secrets-encryption.md)',
    ),
    ageRecipients: z.array(ageRecipient).default([]).describe('age public keys that can decrypt (one per operator or machine); the cluster\'s key must be one of them'),
    fluxKeySecret: dnsLabel.default('sops-age').describe('Secret in flux-system holding the age identity under key age.agekey (Flux Kustomization decryption.secretRef)'),
    argocd: z.enum(['ksops', 'none']).default('ksops').describe('ksops: Argo CD builds the encrypted Secrets with the KSOPS kustomize plugin (repo-server setup in docs/secrets-encryption.md); none: Argo CD does not deliver them (apply them with sops -d | kubectl apply -f -)'),
  }).prefault({}),

  integrations: z.strictObject({
    wazuh: z.strictObject({
      enabled: z.boolean().default(true).describe('Wazuh managers (guests with role wazuh) forward their alerts by syslog (dist/integrations/wazuh); Loki\'s ruler turns alerts at or above minRuleLevel into Alertmanager alerts'),
      minRuleLevel: z.number().int().min(1).max(16).default(10).describe('Wazuh rule level (1-16) at or above which a Wazuh alert becomes an Alertmanager alert; Wazuh forwards only these by syslog'),
    }).prefault({}),
    uptimeKuma: z.strictObject({
      enabled: z.boolean().default(true).describe('Prometheus scrapes /metrics of every guest with role uptime-kuma and alerts on monitors that are down'),
      port: z.number().int().min(1).max(65535).default(3001).describe('UptimeKuma\'s HTTP port (its default 3001)'),
      apiKeySecret: dnsLabel.default('uptime-kuma-api-key').describe('Secret (key "api-key") holding an UptimeKuma API key (Settings > API Keys); Prometheus sends it as the basic-auth password of /metrics'),
    }).prefault({}),
    checkmk: z.strictObject({
      enabled: z.boolean().default(true).describe('CheckMK (guests with role checkmk) reads this Prometheus through its Prometheus special agent: a read-only user, a network path from the CheckMK guest, and the settings in dist/integrations/checkmk'),
    }).prefault({}),
    logs: z.strictObject({
      pods: z.boolean().default(true).describe('Every pod\'s container logs into Loki, read through the Kubernetes API (Alloy loki.source.kubernetes; Kubernetes only)'),
      events: z.boolean().default(true).describe('Kubernetes events into Loki (Alloy loki.source.kubernetes_events; Kubernetes only)'),
      talos: z.boolean().default(true).describe('Talos machine and service logs into Loki (machine.logging json_lines to the log gateway)'),
    }).prefault({}),
  }).prefault({}).describe('The report\'s integrations beyond scraping: each can be switched off and then leaves no object behind'),

  availability: z.strictObject({
    tolerate: z.enum(['nothing', 'vm', 'host']).default('nothing')
      .describe('What the site claims to survive with every service running: nothing (the report\'s one host), the loss of any one Talos VM, or of any one Proxmox host. The validator refuses a site that cannot: each of Prometheus, Alertmanager and Grafana needs 2 or more replicas, Loki mode simple-scalable; host also needs 3 or more Proxmox hosts with a Talos node and no host holding the etcd quorum'),
  }).prefault({}).describe('The failure the site is built to survive (Kubernetes path; the LXC path survives none)'),

  backups: z.strictObject({
    schedule: cronSchedule.default('0 2 * * *').describe('Cron, UTC (report: daily 02:00 UTC)'),
    retentionDays: z.number().int().positive().default(7),
    velero: z.boolean().default(false),
  }).prefault({}),
});

/** The four services the report sizes; each is a section of the site with address and sizing. */
export const STACK_SERVICES = ['prometheus', 'grafana', 'loki', 'alertmanager'] as const;
export type StackServiceName = (typeof STACK_SERVICES)[number];

/** The validated, fully defaulted site every renderer receives. */
export type Site = z.output<typeof SiteSchema>;
/** What a site file may contain: every field optional. */
export type SiteInput = z.input<typeof SiteSchema>;

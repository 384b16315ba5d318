import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { snapshotTree } from '../support/dist-tree';
import { tempDir } from '../support/synth-once';
import { synthesize } from '../../render/synthesize';
import * as YAML from 'yaml';
import { SiteError, SiteSchema, SITE_FILE_MAX_BYTES, SITE_RULES } from '../../site';

/** Each case: a site file, and what the error must name (field path, bad value, expected form). */
const CASES: { name: string; yaml: string; expect: RegExp[] }[] = [
  { name: 'an unknown top-level key', yaml: 'prometheos: {}', expect: [/prometheos/, /not a known setting/] },
  { name: 'an unknown nested key', yaml: 'prometheus: { retension: 15d }', expect: [/prometheus\.retension/, /check its spelling/] },
  { name: 'a wrong type', yaml: 'prometheus: { cpu: four }', expect: [/prometheus\.cpu/, /"four"/, /expected number/] },
  { name: 'a malformed IP', yaml: 'grafana: { address: 10.70.0.300 }', expect: [/grafana\.address/, /10\.70\.0\.300/, /IPv4 address/] },
  { name: 'a malformed CIDR', yaml: 'network: { cidr: 10.70.0.0/33 }', expect: [/network\.cidr/, /IPv4 CIDR/] },
  { name: 'an IP outside the VLAN', yaml: 'loki: { address: 10.71.0.12 }', expect: [/loki\.address/, /10\.71\.0\.12/, /outside the monitoring VLAN 10\.70\.0\.0\/24/] },
  { name: 'an IP inside the DHCP range', yaml: 'alertmanager: { address: 10.70.0.150 }', expect: [/alertmanager\.address/, /inside the DHCP range 10\.70\.0\.100-10\.70\.0\.200/] },
  { name: 'duplicate IPs', yaml: 'grafana: { address: 10.70.0.10 }', expect: [/grafana\.address/, /already used by prometheus\.address/] },
  { name: 'a zero size', yaml: 'loki: { storageGiB: 0 }', expect: [/loki\.storageGiB/, /0/, />0/] },
  { name: 'a negative size', yaml: 'grafana: { memoryGiB: -4 }', expect: [/grafana\.memoryGiB/, /-4/] },
  { name: 'a retention that is not a duration', yaml: 'prometheus: { retention: 15 days }', expect: [/prometheus\.retention/, /"15 days"/, /duration such as 15d/] },
  { name: 'a Loki retention that is not whole days', yaml: 'loki: { retention: 36h }', expect: [/loki\.retention/, /whole number of days/] },
  { name: 'a CIDR with host bits', yaml: 'network: { cidr: 10.70.0.5/24 }', expect: [/network\.cidr/, /use the network address 10\.70\.0\.0\/24/] },
  { name: 'a Kubernetes version Talos does not support', yaml: 'kubernetes: { version: 1.29.4 }', expect: [/kubernetes\.version/, /1\.31-1\.36/] },
  { name: 'two Talos nodes', yaml: 'talos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: b, address: 10.70.0.22, vmid: 212 }] }', expect: [/talos\.nodes/, /\["a","b"\]/, /has 2 control-plane nodes: etcd needs both members, so losing either VM stops the cluster/, /give 3 or 5/] },
  { name: 'four Talos nodes', yaml: 'talos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }, { hostname: d, address: 10.70.0.24, vmid: 214 }] }', expect: [/talos\.nodes/, /has 4 control-plane nodes: etcd needs 3 of 4 members, so it survives no more losses than 3 nodes would/] },
  { name: 'a Talos node on a host the site does not have', yaml: 'talos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: b, address: 10.70.0.22, vmid: 212, host: pve9 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/talos\.nodes\.1\.host/, /"pve9"/, /not a Proxmox host of the site \(pve01\)/] },
  { name: 'an additional host without a Talos node', yaml: 'proxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152 }] }', expect: [/proxmox\.additionalHosts\.0\.node/, /"pve02"/, /has no Talos node/, /place a node on it or remove the host/] },
  { name: 'two remote writes of one name', yaml: 'prometheus: { remoteWrite: [{ name: mimir, url: "https://mimir.lan/api/v1/push" }, { name: mimir, url: "https://mimir2.lan/api/v1/push" }] }', expect: [/prometheus\.remoteWrite\.1\.name/, /"mimir"/, /already the name of prometheus\.remoteWrite\.0 \(https:\/\/mimir\.lan\/api\/v1\/push\)/, /give each remote write its own name/] },
  { name: 'a remote-write header Prometheus sets itself', yaml: 'prometheus: { remoteWrite: [{ name: mimir, url: "https://mimir.lan/api/v1/push", headers: { Content-Type: text/plain } }] }', expect: [/prometheus\.remoteWrite\.0\.headers/, /"Content-Type"/, /Prometheus sets itself/] },
  { name: 'one remote-write header spelled twice', yaml: 'prometheus: { remoteWrite: [{ name: mimir, url: "https://mimir.lan/api/v1/push", headers: { X-Scope-OrgID: a, x-scope-orgid: b } }] }', expect: [/prometheus\.remoteWrite\.0\.headers/, /"x-scope-orgid"/, /header names ignore case/] },
  { name: 'an Authorization header on a remote write', yaml: 'prometheus: { remoteWrite: [{ name: mimir, url: "https://mimir.lan/api/v1/push", headers: { Authorization: "Bearer x" } }] }', expect: [/prometheus\.remoteWrite\.0\.headers/, /"Authorization"/, /put username and password into the Secret named by authSecret/] },
  { name: 'a remote-write Secret named like the Grafana admin Secret', yaml: 'prometheus: { remoteWrite: [{ name: mimir, url: "https://mimir.lan/api/v1/push", authSecret: grafana-admin }] }', expect: [/prometheus\.remoteWrite\.0\.authSecret/, /"grafana-admin"/, /already the Secret of grafana\.adminSecret/] },
  { name: 'an additional host named like the first', yaml: 'proxmox: { additionalHosts: [{ node: pve01, address: 10.88.140.152 }] }', expect: [/proxmox\.additionalHosts\.0\.node/, /"pve01"/, /already the Proxmox node of proxmox/] },
  { name: 'an additional host on the first host\'s address', yaml: 'proxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.151 }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/proxmox\.additionalHosts\.0\.address/, /10\.88\.140\.151/, /already the address of proxmox\.hostAddress/] },
  { name: 'an additional host whose API URL names another host', yaml: 'proxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152, apiUrl: "https://10.88.140.153:8006" }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/proxmox\.additionalHosts\.0\.address/, /differs from the host of proxmox\.additionalHosts\.0\.apiUrl \(10\.88\.140\.153\)/] },
  { name: 'an additional host\'s API URL over plain HTTP', yaml: 'proxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152, apiUrl: "http://10.88.140.152:8006" }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/proxmox\.additionalHosts\.0\.apiUrl/, /must be https:\/\/.*e\.g\. https:\/\/10\.88\.140\.152:8006/] },
  { name: 'four Alertmanager replicas on three nodes of one host', yaml: 'alertmanager: { replicas: 4 }', expect: [/alertmanager\.replicas/, /: 4 /, /needs 4 Talos nodes, one pod on each/, /the site has 3 \(talos-cp-1, talos-cp-2, talos-cp-3\)/, /set alertmanager\.replicas to at most 3 or add nodes/] },
  { name: 'three Prometheus replicas over two hosts', yaml: 'prometheus: { replicas: 3 }\nproxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152 }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/prometheus\.replicas/, /needs 3 Proxmox hosts with a Talos node/, /the site has 2 \(pve01, pve02\)/, /or place Talos nodes on more hosts/] },
  { name: 'proxmox-csi storage without its settings', yaml: 'kubernetes: { storage: proxmox-csi }', expect: [/kubernetes\.proxmoxCsi/, /is required by kubernetes\.storage proxmox-csi; give apiUrl and storages/] },
  { name: 'Proxmox CSI settings while storage stays local-path', yaml: 'kubernetes: { proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: pve-local }] } }', expect: [/kubernetes\.storage/, /"local-path"/, /but kubernetes\.proxmoxCsi is set; set kubernetes\.storage: proxmox-csi/] },
  { name: 'a claim class that is not a Proxmox CSI class', yaml: 'kubernetes: { storage: proxmox-csi, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: pve-local }] } }', expect: [/kubernetes\.storageClass/, /"local-path"/, /is not a Proxmox CSI StorageClass \(pve-local\)/, /local-path is not deployed with proxmox-csi/] },
  { name: 'two Proxmox storages with one StorageClass', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: pve-local, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: pve-local }, { id: ceph, storageClass: pve-local }] } }', expect: [/kubernetes\.proxmoxCsi\.storages\.1\.storageClass/, /already names the StorageClass of storage local-lvm/] },
  { name: 'one Proxmox storage listed twice', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: a, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: a }, { id: local-lvm, storageClass: b }] } }', expect: [/kubernetes\.proxmoxCsi\.storages\.1\.id/, /already listed as kubernetes\.proxmoxCsi\.storages\.0/] },
  { name: 'a Talos VM on the VMID the CSI plugin names its disks after', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: pve-local, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: pve-local }] } }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 9999 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/talos\.nodes\.0\.vmid/, /9999/, /the VMID the Proxmox CSI plugin names its disks after/] },
  { name: 'the CSI token Secret named like the Grafana admin Secret', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: pve-local, proxmoxCsi: { apiUrl: "https://pve.lan:8006", tokenSecret: grafana-admin, storages: [{ id: local-lvm, storageClass: pve-local }] } }', expect: [/kubernetes\.proxmoxCsi\.tokenSecret/, /already the Secret of grafana\.adminSecret/, /one file per name/] },
  { name: 'a Proxmox CSI storage ID with a space', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: a, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: "local lvm", storageClass: a }] } }', expect: [/kubernetes\.proxmoxCsi\.storages\.0\.id/, /Proxmox storage ID \(pvesm status\) such as local-lvm/] },
  { name: 'a Proxmox storage ID that Proxmox would refuse at qm create', yaml: 'proxmox: { storage: "local-lvm:" }', expect: [/proxmox\.storage: "local-lvm:" is invalid/, /ending in a letter or digit/] },
  { name: 'simple-scalable Loki without a bucket', yaml: 'loki: { mode: simple-scalable }', expect: [/loki\.objectStorage/, /is required by loki\.mode simple-scalable; give endpoint and bucket/, /access-key-id and secret-access-key/] },
  { name: 'a Loki bucket for the single binary', yaml: 'loki: { objectStorage: { endpoint: "s3.lan:9000", bucket: logs } }', expect: [/loki\.mode/, /"single-binary"/, /but loki\.objectStorage is set; .*set loki\.mode: simple-scalable/] },
  { name: 'simple-scalable Loki over two hosts', yaml: 'loki: { mode: simple-scalable, objectStorage: { endpoint: "s3.lan:9000", bucket: logs } }\nproxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152 }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/loki\.mode/, /needs 3 Proxmox hosts with a Talos node for its 3 write pods/, /the site has 2 \(pve01, pve02\)/, /place Talos nodes on more hosts, or use loki\.mode: single-binary/] },
  { name: 'the Loki S3 Secret named like the Prometheus web-auth Secret', yaml: 'loki: { mode: simple-scalable, objectStorage: { endpoint: "s3.lan:9000", bucket: logs, credentialsSecret: prometheus-web-auth } }', expect: [/loki\.objectStorage\.credentialsSecret/, /already the Secret of prometheus\.webAuthSecret in namespace monitoring/] },
  { name: 'a Loki bucket endpoint with a scheme', yaml: 'loki: { mode: simple-scalable, objectStorage: { endpoint: "https://s3.lan", bucket: logs } }', expect: [/loki\.objectStorage\.endpoint/, /host or host:port without a scheme/] },
  { name: 'host tolerance claimed with every node on one host (proxmox-csi)', yaml: 'availability: { tolerate: host }\nkubernetes: { storage: proxmox-csi, storageClass: a, proxmoxCsi: { apiUrl: "https://pve.lan:8006", storages: [{ id: local-lvm, storageClass: a }] } }', expect: [/availability\.tolerate/, /"host"/, /but every Talos node is on pve01 \(talos\.nodes\[\]\.host\): losing it stops everything, volumes included/, /or set availability\.tolerate: vm/, /prometheus\.replicas: 1 is one pod, which stops with its Proxmox host, but availability\.tolerate is host; set prometheus\.replicas: 2/, /grafana\.replicas: 1 .*set grafana\.replicas: 2 with grafana\.storage: ephemeral/, /loki\.mode: "single-binary" is one pod.*set loki\.mode: simple-scalable with loki\.objectStorage/] },
  { name: 'host tolerance claimed over two hosts', yaml: 'availability: { tolerate: host }\nproxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152 }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211, host: pve02 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/availability\.tolerate/, /needs 3 or more Proxmox hosts with a Talos node; the site has 2/, /talos\.nodes/, /"pve01"/, /holds 2 of the 3 control planes: losing pve01 leaves 1 etcd member, below the quorum of 2; put at most 1 control plane on each host/] },
  { name: 'host tolerance claimed with two control planes on one of three hosts', yaml: 'availability: { tolerate: host }\nproxmox: { additionalHosts: [{ node: pve02, address: 10.88.140.152 }, { node: pve03, address: 10.88.140.153 }] }\ntalos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: b, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213, host: pve02 }, { hostname: d, address: 10.70.0.24, vmid: 214, host: pve03, role: worker }] }', expect: [/talos\.nodes/, /"pve01"/, /holds 2 of the 3 control planes/] },
  { name: 'VM tolerance claimed with one Prometheus', yaml: 'availability: { tolerate: vm }\nalertmanager: { replicas: 2 }\ngrafana: { replicas: 2, storage: ephemeral }\nloki: { mode: simple-scalable, objectStorage: { endpoint: "s3.lan:9000", bucket: logs } }', expect: [/prometheus\.replicas/, /: 1 /, /is one pod, which stops with its Talos VM, but availability\.tolerate is vm; set prometheus\.replicas: 2 or lower availability\.tolerate/] },
  { name: 'two Grafanas on one volume', yaml: 'grafana: { replicas: 2 }', expect: [/grafana\.replicas/, /: 2 /, /needs grafana\.storage: ephemeral/] },
  { name: 'a Proxmox CSI API URL over plain HTTP with the API path', yaml: 'kubernetes: { storage: proxmox-csi, storageClass: a, proxmoxCsi: { apiUrl: "http://pve.lan:8006/api2/json", storages: [{ id: local-lvm, storageClass: a }] } }', expect: [/kubernetes\.proxmoxCsi\.apiUrl/, /must be https:\/\/.*e\.g\. https:\/\/pve\.lan:8006/, /names the API path, which the tool appends \(\/api2\/json\)/] },
  { name: 'invalid YAML', yaml: 'prometheus: { cpu: 4\n', expect: [/\(yaml\)/, /not valid YAML/] },
  { name: 'a duplicate key', yaml: 'prometheus: { cpu: 4 }\nprometheus: { cpu: 2 }', expect: [/not valid YAML/, /the key "prometheus" appears twice/] },
  { name: 'a list where a mapping belongs', yaml: '- 1\n- 2', expect: [/top level/, /mapping/] },
  { name: 'a webhook with both url and urlSecret', yaml: 'alertmanager: { receivers: { webhooks: [{ name: a, url: "https://x.example/h", urlSecret: s }] } }', expect: [/alertmanager\.receivers\.webhooks\.0/, /exactly one of url/] },
  { name: 'Talos disks on two different buses', yaml: 'talos: { installDisk: /dev/sda, dataDisk: /dev/vdb }', expect: [/talos\.dataDisk/, /\/dev\/sda \+ \/dev\/vdb/, /one bus/] },
  { name: 'a backup schedule that is not cron', yaml: 'backups: { schedule: every day }', expect: [/backups\.schedule/, /"every day"/, /five-field cron schedule/] },
  { name: 'a cron field out of range', yaml: 'backups: { schedule: "0 25 * * *" }', expect: [/backups\.schedule/, /0 25/] },
  { name: 'a repository URL that is not a Git URL', yaml: 'gitops: { repoUrl: not a url }', expect: [/gitops\.repoUrl/, /expected a Git URL/] },
  { name: 'a repository path that leaves the repository', yaml: 'gitops: { path: ../x }', expect: [/gitops\.path/, /no "\.\."/] },
  { name: 'a Prometheus volume too small for size-based retention', yaml: 'prometheus: { storageGiB: 1 }', expect: [/prometheus\.storageGiB/, /at least 2/] },
  { name: 'a syslog port that clashes with Loki on the shared address', yaml: 'syslog: { port: 3100 }', expect: [/syslog\.port/, /3100/, /clashes with Loki HTTP/] },
  { name: 'a syslog port that clashes with the gateway\'s HTTP port on the LXC path', yaml: 'syslog: { port: 12345 }', expect: [/syslog\.port/, /12345/, /syslog gateway's HTTP server \(LXC\)/, /3100, 9095, 12345, 9100/] },
  { name: 'a syslog port that clashes with node_exporter in the LXC Loki container', yaml: 'syslog: { port: 9100 }', expect: [/syslog\.port/, /node_exporter \(LXC\)/] },
  { name: 'a Talos release the generator does not write', yaml: 'talos: { version: v1.12.11 }\nkubernetes: { version: 1.35.4 }', expect: [/talos\.version/, /"v1\.12\.11"/, /Talos v1\.13 contract; use a v1\.13\.x release/] },
  { name: 'a guest VMID equal to a Talos node\'s', yaml: 'proxmox: { guests: [{ vmid: 212, name: old-vm }] }', expect: [/talos\.nodes\.1\.vmid/, /VMID 212 of Talos node talos-cp-2 is already taken by guest old-vm \(proxmox\.guests\.0\.vmid\)/] },
  { name: 'a guest VMID equal to an LXC container\'s derived VMID', yaml: 'proxmox: { guests: [{ vmid: 7010, name: old-prom }] }', expect: [/prometheus\.address/, /LXC path's prometheus container/, /guest old-prom/] },
  { name: 'a guest on a service address', yaml: 'proxmox: { guests: [{ vmid: 150, name: g, address: 10.70.0.11 }] }', expect: [/proxmox\.guests\.0\.address/, /10\.70\.0\.11/, /already the address of grafana\.address/] },
  { name: 'a guest on the Talos VIP', yaml: 'proxmox: { guests: [{ vmid: 150, name: g, address: 10.70.0.20 }] }', expect: [/proxmox\.guests\.0\.address/, /talos\.vip/] },
  { name: 'two guests on one address', yaml: 'proxmox: { guests: [{ vmid: 150, name: a, address: 10.88.140.50 }, { vmid: 151, name: b, address: 10.88.140.50 }] }', expect: [/proxmox\.guests\.1\.address/, /proxmox\.guests\.0\.address/] },
  { name: 'a management CIDR that overlaps the monitoring VLAN', yaml: 'network: { managementCidr: 10.70.0.0/16 }', expect: [/network\.managementCidr/, /10\.70\.0\.0\/16/, /overlaps the monitoring VLAN 10\.70\.0\.0\/24/] },
  { name: 'a Proxmox API URL on another host than hostAddress', yaml: 'proxmox: { apiUrl: "https://10.88.140.9:8006" }', expect: [/proxmox\.hostAddress/, /10\.88\.140\.151/, /differs from the host of proxmox\.apiUrl \(10\.88\.140\.9\)/] },
  { name: 'a memory capacity below what is allocated', yaml: 'proxmox: { capacity: { memoryGB: 8 } }', expect: [/proxmox\.capacity\.memoryGB/, /8/, /below what is already allocated \(proxmox\.allocated\.memoryGB: 17\.5\)/] },
  { name: 'a backup schedule that keeps too many etcd snapshots', yaml: 'backups: { schedule: "*/15 * * * *", retentionDays: 30 }', expect: [/backups\.schedule/, /keeps 2880 etcd snapshots/, /at most 48/] },
  { name: 'two roles sharing one Secret name', yaml: 'prometheus: { webAuthSecret: alertmanager-web-auth }', expect: [/prometheus\.webAuthSecret/, /already the Secret of alertmanager\.webAuthSecret/] },
  { name: 'an UptimeKuma API key Secret that is pve_exporter\'s', yaml: 'integrations: { uptimeKuma: { apiKeySecret: pve-exporter } }', expect: [/integrations\.uptimeKuma\.apiKeySecret/, /already the Secret of \(pve_exporter token\)/] },
  { name: 'a heartbeat Secret that is a generated one', yaml: 'alertmanager: { heartbeat: { urlSecret: prometheus-web-auth } }', expect: [/alertmanager\.heartbeat\.urlSecret/, /already the Secret of prometheus\.webAuthSecret/] },
  { name: 'the Proxmox host on a service address', yaml: 'proxmox: { apiUrl: "https://10.70.0.11:8006", hostAddress: 10.70.0.11 }', expect: [/proxmox\.hostAddress/, /already the address of grafana\.address/] },
  { name: 'more used than allocated', yaml: 'proxmox: { used: { memoryGB: 20 } }', expect: [/proxmox\.used\.memoryGB/, /20/, /more than allocated \(proxmox\.allocated\.memoryGB: 17\.5\)/] },
  { name: 'a guest count below the guests listed', yaml: 'proxmox: { guestCount: 3 }', expect: [/proxmox\.guestCount/, /3/, /below the 5 guests listed/] },
  { name: 'a receiver named like the dead man\'s switch', yaml: 'alertmanager: { receivers: { webhooks: [{ name: heartbeat, url: "https://x.example/h" }] } }', expect: [/alertmanager\.receivers/, /"heartbeat"/, /must not be "default" or "heartbeat"/] },
  { name: 'a Proxmox API URL over plain HTTP', yaml: 'proxmox: { apiUrl: "http://10.88.140.151:8006" }', expect: [/proxmox\.apiUrl/, /must be https:\/\//] },
  { name: 'a heartbeat interval too short to repeat', yaml: 'alertmanager: { heartbeat: { urlSecret: deadman, interval: 1s } }', expect: [/alertmanager\.heartbeat\.interval/, /"1s"/, /at least 2s/] },
  { name: 'a management CIDR with host bits', yaml: 'network: { managementCidr: 10.88.140.7/24 }', expect: [/network\.managementCidr/, /use the network address 10\.88\.140\.0\/24/] },
  { name: 'a gateway outside the VLAN', yaml: 'network: { gateway: 10.71.0.1 }', expect: [/network\.gateway/, /10\.71\.0\.1/, /not a usable host address in 10\.70\.0\.0\/24/] },
  { name: 'a DHCP range outside the VLAN', yaml: 'network: { dhcpRange: { start: 10.71.0.100, end: 10.70.0.200 } }', expect: [/network\.dhcpRange\.start/, /outside the VLAN/] },
  { name: 'a DHCP range that starts after it ends', yaml: 'network: { dhcpRange: { start: 10.70.0.200, end: 10.70.0.100 } }', expect: [/network\.dhcpRange/, /starts after it ends/] },
  { name: 'a service on the gateway address', yaml: 'network: { gateway: 10.70.0.13 }\nalertmanager: { address: 10.70.0.13 }', expect: [/alertmanager\.address/, /is the VLAN gateway/] },
  { name: 'two Talos nodes with one hostname', yaml: 'talos: { nodes: [{ hostname: a, address: 10.70.0.21, vmid: 211 }, { hostname: a, address: 10.70.0.22, vmid: 212 }, { hostname: c, address: 10.70.0.23, vmid: 213 }] }', expect: [/talos\.nodes\.1\.hostname/, /"a"/, /used twice \(also talos\.nodes\.0\.hostname\)/] },
  { name: 'an Alertmanager retention in fractions of a second', yaml: 'alertmanager: { retention: 1500ms }', expect: [/alertmanager\.retention/, /whole seconds/] },
  { name: 'an evaluation interval shorter than the scrape interval', yaml: 'prometheus: { scrapeInterval: 30s, evaluationInterval: 15s }', expect: [/prometheus\.evaluationInterval/, /shorter than scrapeInterval 30s/] },
  { name: 'two receivers with one name', yaml: 'alertmanager: { receivers: { webhooks: [{ name: ops, url: "https://a.example/h" }], emails: [{ name: ops, to: a@b.example, from: c@d.example, smarthost: "smtp.example:25" }] } }', expect: [/alertmanager\.receivers/, /"ops"/, /must be unique/] },
  { name: 'a receiver named "default"', yaml: 'alertmanager: { receivers: { webhooks: [{ name: default, url: "https://a.example/h" }] } }', expect: [/alertmanager\.receivers/, /"default"/] },
  { name: 'the data disk equal to the install disk', yaml: 'talos: { installDisk: /dev/sda, dataDisk: /dev/sda }', expect: [/talos\.dataDisk/, /is the install disk/] },
  { name: 'a duplicate key, named', yaml: 'syslog: { port: 514 }\nnetwork: { vlanId: 70 }\nsyslog: { tcp: false }', expect: [/\(yaml\)/, /line 3/, /the key "syslog" appears twice/] },
  { name: 'an alias bomb', yaml: ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n'), expect: [/\(yaml\)/, /parses but cannot be read as data \(Excessive alias count/] },
  { name: 'SOPS encryption without a recipient', yaml: 'secrets: { encryption: sops-age }', expect: [/secrets\.ageRecipients/, /is empty but secrets\.encryption is sops-age/, /set encryption: none, run `npm run secrets -- init`/] },
  { name: 'an age recipient listed twice', yaml: `secrets: { ageRecipients: [${'age1' + 'q'.repeat(58)}, ${'age1' + 'q'.repeat(58)}] }`, expect: [/secrets\.ageRecipients\.1/, /listed twice \(also secrets\.ageRecipients\.0\)/] },
  { name: 'an age recipient that is not a public key', yaml: 'secrets: { ageRecipients: [AGE-SECRET-KEY-1ABC] }', expect: [/secrets\.ageRecipients\.0/, /AGE-SECRET-KEY-1ABC/, /expected an age public key/] },
  { name: 'a merge key on something that is not a mapping', yaml: 'prometheus:\n  <<: 4\n  cpu: 2', expect: [/\(yaml\)/, /Merge sources must be maps/, /merge \(<<\) only mappings/] },
];

describe('every cross-field rule of the site validator', () => {
  test('has a failing case above: some case breaks it, and only the schema-valid cases count', () => {
    const fired = new Set<number>();
    for (const c of CASES) {
      const doc = YAML.parseDocument(c.yaml, { uniqueKeys: false, merge: true });
      let raw: unknown;
      try { raw = doc.toJS({ maxAliasCount: 100 }); } catch { continue; }
      const parsed = SiteSchema.safeParse(raw ?? {});
      if (!parsed.success) continue;
      SITE_RULES.forEach((rule, i) => { if (rule(parsed.data).length > 0) fired.add(i); });
    }
    const never = SITE_RULES.map((_, i) => i).filter((i) => !fired.has(i)).map((i) => SITE_RULES[i].toString().slice(0, 160));
    expect(never).toEqual([]);
  });
});

describe('bad site input', () => {
  const root = tempDir('bad-input-');
  const outDir = path.join(root, 'dist');
  synthesize({ projectRoot: root, outDir });
  const before = snapshotTree(outDir);

  test.each(CASES.map((c) => [c.name, c] as const))('fails clearly for %s and leaves dist/ untouched', (_name, c) => {
    const file = path.join(root, 'site.yaml');
    fs.writeFileSync(file, c.yaml);
    let error: unknown;
    try { synthesize({ siteFile: file, projectRoot: root, outDir }); } catch (err) { error = err; }
    expect(error).toBeInstanceOf(SiteError);
    for (const re of c.expect) expect((error as Error).message).toMatch(re);
    expect(snapshotTree(outDir)).toEqual(before);
    expect(fs.readdirSync(root).filter((n) => n.includes('staging'))).toEqual([]);
  });

  test('a merge key between mappings works (YAML 1.1 merge keys are read)', () => {
    const file = path.join(root, 'merge.yaml');
    fs.writeFileSync(file, 'x-size: &size { cpu: 3, memoryGiB: 6 }\n'.replace('x-size', 'grafana') + 'alertmanager:\n  <<: *size\n  storageGiB: 20\n');
    const result = synthesize({ siteFile: file, projectRoot: tempDir('merge-'), outDir: 'dist' });
    expect(result.loaded.site.alertmanager).toMatchObject({ cpu: 3, memoryGiB: 6, storageGiB: 20 });
  });

  test('fails when the file is not UTF-8, saying where', () => {
    const file = path.join(root, 'latin1.yaml');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('name: site\nproxmox:\n  node: pve'), Buffer.from([0xe9]), Buffer.from('01\n')]));
    expect(() => synthesize({ siteFile: file, projectRoot: root, outDir })).toThrow(/\(file\): ".*latin1\.yaml" is not UTF-8: byte 0xe9 at line 3, column 12 \(offset 31\); save the file as UTF-8/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  test('fails when the file is larger than a site file can be, before reading it', () => {
    const file = path.join(root, 'huge.yaml');
    fs.writeFileSync(file, `# ${'x'.repeat(SITE_FILE_MAX_BYTES)}\n`);
    expect(() => synthesize({ siteFile: file, projectRoot: root, outDir })).toThrow(/is 1048579 bytes; a site file is at most 1048576 bytes \(1 MiB\)/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  test('fails when the site file does not exist, naming the flag to use', () => {
    expect(() => synthesize({ siteFile: path.join(root, 'missing.yaml'), projectRoot: root, outDir })).toThrow(/cannot be read \(ENOENT\).*--site FILE/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  test('the CLI exits 1, prints the field and says nothing was written', () => {
    const file = path.join(root, 'cli-site.yaml');
    fs.writeFileSync(file, 'grafana: { address: 10.70.0.150 }');
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--swc', 'main.ts', '--site', file, '--out', outDir], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/grafana\.address: "10\.70\.0\.150" is inside the DHCP range/);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(snapshotTree(outDir)).toEqual(before);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
});

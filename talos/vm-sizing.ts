/**
 * Sizes the Talos VMs from the stack's own requests plus what Talos and Kubernetes take on every
 * node. Every node gets a control plane's size and overhead, workers too: the placement may put
 * any service group on any node, and a worker's smaller share (no API server or etcd, 384 instead
 * of 512 MiB systemReserved) is left as headroom rather than a second VM size. The sized workloads (site/workloads.ts: the four services, or six with simple-scalable Loki) follow the placement plan (charts/common/placement.ts,
 * enforced by pod affinity); the tool's add-on pods (exporters, syslog gateway, storage,
 * backups) are read from the charts and budgeted on every node, since they may land anywhere.
 * Figures and sources: research/proxmox-talos.md §2.2 (Talos v1.13.0 source).
 */
import { claimStorage, stackWorkloads, type Site } from '../site';
import { addOnPodRequests, PodRequests } from '../charts/addon-requests';
import { plannedServices, replicaNodes } from '../charts/common/placement';
import { etcdSnapshotVolumeGiB } from '../charts/platform/etcd-backup';
import { isMultiHost, usesProxmoxCsi, workers } from '../site/hosts';
import { spelled, wordList } from '../site/words';

/** One line of per-node overhead; `source` says where the figure comes from ([est] = estimate, no source). */
export interface OverheadItem {
  readonly name: string;
  /** CPU request in cores. */
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly source: string;
}

const MiB = 1 / 1024;

/** Per-node Talos/Kubernetes overhead (requests, reservations and budgets). */
export const PER_NODE_OVERHEAD: readonly OverheadItem[] = [
  // Talos >= 1.9 reserves 50m / 512Mi for system daemons on control planes.
  { name: 'kubelet systemReserved (control plane)', cpu: 0.05, memoryGiB: 512 * MiB, source: 'siderolabs/talos pkg/machinery/constants/constants.go' },
  { name: 'kubelet hard eviction memory.available', cpu: 0, memoryGiB: 100 * MiB, source: 'kubelet default evictionHard memory.available<100Mi' },
  { name: 'kube-apiserver', cpu: 0.2, memoryGiB: 512 * MiB, source: 'talos internal/app/machined/pkg/controllers/k8s/control_plane_static_pod.go@v1.13.0' },
  { name: 'kube-controller-manager', cpu: 0.05, memoryGiB: 256 * MiB, source: 'same file' },
  { name: 'kube-scheduler', cpu: 0.01, memoryGiB: 64 * MiB, source: 'same file' },
  // etcd is a Talos system service, not a pod: it has a cgroup memory floor, no CPU request.
  { name: 'etcd', cpu: 0, memoryGiB: 256 * MiB, source: 'talos constants.go CgroupEtcdReservedMemory' },
  { name: 'flannel', cpu: 0.1, memoryGiB: 50 * MiB, source: 'talos k8stemplates/flannel.go' },
  { name: 'kube-network-policies (flannel NetworkPolicy)', cpu: 0.05, memoryGiB: 64 * MiB, source: '[est]' },
  // Two CoreDNS replicas per cluster; budget one per node (they spread by anti-affinity).
  { name: 'CoreDNS', cpu: 0.1, memoryGiB: 70 * MiB, source: 'talos k8stemplates/coredns.go' },
  { name: 'MetalLB speaker + controller share', cpu: 0.05, memoryGiB: 100 * MiB, source: '[est] chart sets no requests' },
];

/**
 * The Proxmox CSI plugin's pods (chart 0.5.9 values.yaml requests; not in the synthesized charts,
 * Argo CD or Flux render them): on every node the node plugin's registrar and liveness probe, and
 * a share of the controller (2 replicas of 5 containers at 10m / 16Mi: budgeted whole on each node,
 * as they may land anywhere).
 */
export const PROXMOX_CSI_OVERHEAD: readonly OverheadItem[] = [
  { name: 'Proxmox CSI node plugin (registrar, liveness probe)', cpu: 0.02, memoryGiB: 32 * MiB, source: 'proxmox-csi-plugin chart 0.5.9 values.yaml node.* resources' },
  { name: 'Proxmox CSI controller (one replica: plugin, attacher, provisioner, resizer, liveness)', cpu: 0.05, memoryGiB: 80 * MiB, source: 'proxmox-csi-plugin chart 0.5.9 values.yaml controller.* resources' },
];

/** OS disk contents; the sum is kept under kubelet's image-GC high threshold. */
export const OS_DISK_ITEMS: readonly { name: string; sizeGiB: number; source: string }[] = [
  { name: 'Talos EFI + BOOT + META + STATE partitions', sizeGiB: 1.25, source: 'talos partition layout (EFI 100MiB, BOOT 1GiB, META 1MiB, STATE 100MiB)' },
  { name: 'container images (Kubernetes, Talos add-ons, the stack)', sizeGiB: 15, source: '[est]' },
  { name: 'etcd data (2 GiB backend quota, twice for defragmentation)', sizeGiB: 4, source: 'etcd default --quota-backend-bytes 2GiB' },
  { name: 'container logs (10Mi x 5 files x ~40 containers)', sizeGiB: 2, source: 'kubelet containerLogMaxSize/containerLogMaxFiles defaults' },
  { name: 'emptyDir and writable layers', sizeGiB: 5, source: '[est]' },
];
/** kubelet imageGCHighThresholdPercent default: image GC starts at 85 % disk use. */
const IMAGE_GC_HIGH_THRESHOLD = 0.85;
/** Filesystem overhead and growth slack on the local-path data disk. */
const DATA_DISK_HEADROOM = 1.1;

export interface StackService {
  readonly name: string;
  readonly cpu: number;
  readonly memoryGiB: number;
  readonly storageGiB: number;
  /** Pods of the service (prometheus.replicas, alertmanager.replicas; 1 for the others), each with these requests and its own volume. */
  readonly replicas: number;
}

export interface VmSize {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly osDiskGiB: number;
  readonly dataDiskGiB: number;
}

export interface TalosNodeVm extends VmSize {
  readonly hostname: string;
  readonly vmid: number;
  readonly address: string;
  /** Services the placement plan puts here (held there by pod affinity). */
  readonly plannedServices: readonly string[];
  /** Proxmox CSI disks of those services' claims on this VM's host, in GiB (0 with local-path, in the data disk; 0 on shared storage, in the pool). */
  readonly volumesGiB: number;
}

export interface TalosVmSizing {
  readonly nodes: readonly TalosNodeVm[];
  /** The size every node gets (nodes are identical so any one can carry any bin). */
  readonly perNode: VmSize;
  readonly totals: VmSize;
  /** Proxmox CSI disks of every claim, the etcd snapshot's included, in GiB (0 with local-path). */
  readonly volumesGiB: number;
  /** Talos/Kubernetes overhead plus this tool's add-on pods, budgeted on every node. */
  readonly overheadPerNode: { readonly cpu: number; readonly memoryGiB: number; readonly items: readonly OverheadItem[] };
  /** The add-on pods' requests, read from the charts. */
  readonly addOnPods: readonly PodRequests[];
  readonly workload: { readonly cpu: number; readonly memoryGiB: number; readonly storageGiB: number; readonly services: readonly StackService[] };
  /** True when, whichever node is down, every single-pod workload still fits by CPU and memory requests on the other nodes, beside the replicas planned there. */
  readonly fitsWithOneNodeDown: boolean;
  /** Smallest identical node size (least memory, then fewest cores; never below perNode) for which, whichever node is down, the others hold the single-pod workloads beside their replicas. */
  readonly sizeForOneNodeDown: { readonly cores: number; readonly memoryGiB: number };
  /** Why the answer is what it is, including the local-path caveat. */
  readonly notes: readonly string[];
}

/** The sized workloads (site/workloads.ts): a service each, simple-scalable Loki's three targets. */
export function stackServices(site: Site): StackService[] {
  return stackWorkloads(site).map(({ name, cpu, memoryGiB, storageGiB, replicas }) => ({ name, cpu, memoryGiB, storageGiB, replicas }));
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** Guards ceil against float noise such as 4.000000001. */
const ceilUp = (n: number, step = 1) => Math.ceil(round3(n) / step - 1e-9) * step;

interface Load { cpu: number; memoryGiB: number }
interface NodeSize { cores: number; memoryGiB: number }

function sumLoad(services: readonly StackService[]): Load & { storageGiB: number } {
  return services.reduce((l, s) => ({ cpu: l.cpu + s.cpu, memoryGiB: l.memoryGiB + s.memoryGiB, storageGiB: l.storageGiB + s.storageGiB }), { cpu: 0, memoryGiB: 0, storageGiB: 0 });
}

/** Every way of splitting the workloads into `count` groups (the single-pod workloads: four at most). */
function* assignments(services: readonly StackService[], count: number): Generator<StackService[][]> {
  const total = count ** services.length;
  for (let code = 0; code < total; code++) {
    const bins: StackService[][] = Array.from({ length: count }, () => []);
    let c = code;
    for (const s of services) {
      bins[c % count].push(s);
      c = Math.floor(c / count);
    }
    yield bins;
  }
}

/** Per-node VM sizes, totals and the one-node-down check for the site's stack. */
export function talosVmSizing(site: Site): TalosVmSizing {
  const services = stackServices(site);
  const addOnPods = addOnPodRequests(site);
  const items: OverheadItem[] = [
    ...PER_NODE_OVERHEAD,
    ...(usesProxmoxCsi(site) ? PROXMOX_CSI_OVERHEAD : []),
    ...addOnPods.map((p) => ({ name: p.workload, cpu: p.cpu, memoryGiB: p.memoryGiB, source: 'requests in the synthesized charts (may run on any node)' })),
  ];
  const overhead = {
    cpu: round3(items.reduce((s, i) => s + i.cpu, 0)),
    memoryGiB: round3(items.reduce((s, i) => s + i.memoryGiB, 0)),
  };
  const nodeCount = site.talos.nodes.length;
  const planned = plannedServices(site);
  const placement: StackService[][] = site.talos.nodes.map((node) =>
    (planned.get(node.hostname) ?? []).map((name) => services.find((s) => s.name === name)!));
  const peak = placement.map(sumLoad).reduce((m, l) => ({ cpu: Math.max(m.cpu, l.cpu), memoryGiB: Math.max(m.memoryGiB, l.memoryGiB) }), { cpu: 0, memoryGiB: 0 });
  const cores = Math.max(2, ceilUp(peak.cpu + overhead.cpu));
  const memoryGiB = Math.max(4, ceilUp(peak.memoryGiB + overhead.memoryGiB));

  // Each group's volumes live on its node's data disk (local-path, placement by affinity); the
  // etcd snapshot claim may land on any node, like the add-on pods.
  const maxColocatedStorage = Math.max(...placement.map((bin) => sumLoad(bin).storageGiB));
  const addOnStorageGiB = etcdSnapshotVolumeGiB(site);
  // The Proxmox CSI plugin gives each claim its own Proxmox disk instead: no data disk at all.
  const csi = usesProxmoxCsi(site);
  const dataDiskGiB = csi ? 0 : ceilUp((maxColocatedStorage + addOnStorageGiB) * DATA_DISK_HEADROOM, 10);
  const volumesPerNode = placement.map((bin) => (csi ? sumLoad(bin).storageGiB : 0));
  // On shared storage (Ceph RBD, NFS) a claim's disk is in the shared pool, not on the host of its pod.
  const claimsOnHost = csi && !claimStorage(site)?.shared;
  const osDiskGiB = Math.max(10, ceilUp(OS_DISK_ITEMS.reduce((s, i) => s + i.sizeGiB, 0) / IMAGE_GC_HIGH_THRESHOLD, 10));

  // One node down: the single-pod workloads must find room on the other nodes, beside the
  // replicas planned on each (a replicated workload keeps its other pods and moves nothing). Each
  // node is tried as the lost one, the survivors keeping their own replica load; only the
  // single-pod workloads are searched: nodes x (nodes - 1) ^ (four at most). Each way of placing
  // them needs a node size (its busiest survivor plus the overhead, rounded up); per lost node
  // only the sizes no other beats in both cores and memory are kept.
  const single = services.filter((s) => s.replicas === 1);
  const replicasOn = placement.map((bin) => sumLoad(bin.filter((s) => s.replicas > 1)));
  const sizeFor = (loads: readonly Load[]): NodeSize => ({
    cores: ceilUp(Math.max(...loads.map((l) => l.cpu)) + overhead.cpu),
    memoryGiB: ceilUp(Math.max(...loads.map((l) => l.memoryGiB)) + overhead.memoryGiB),
  });
  // Survivors with the same replica loads give the same sizes: nodes without replicas are all alike.
  const bySurvivors = new Map<string, NodeSize[]>();
  const sizesWithNodeDown = (lost: number): NodeSize[] => {
    // 3 or 5 control planes (the site schema): there are always survivors.
    const survivors = replicasOn.filter((_, i) => i !== lost);
    const key = JSON.stringify(survivors.map((l) => [round3(l.cpu), round3(l.memoryGiB)]).sort());
    let sizes = bySurvivors.get(key);
    if (!sizes) {
      const all: NodeSize[] = [];
      for (const bins of assignments(single, survivors.length)) {
        all.push(sizeFor(bins.map((bin, k) => { const l = sumLoad(bin); return { cpu: l.cpu + survivors[k].cpu, memoryGiB: l.memoryGiB + survivors[k].memoryGiB }; })));
      }
      sizes = all.filter((a) => !all.some((b) => b.cores <= a.cores && b.memoryGiB <= a.memoryGiB && (b.cores < a.cores || b.memoryGiB < a.memoryGiB)));
      bySurvivors.set(key, sizes);
    }
    return sizes;
  };
  const perLostNode = site.talos.nodes.map((_, lost) => sizesWithNodeDown(lost));
  const fitsWithOneNodeDown = perLostNode.every((sizes) => sizes.some((z) => z.cores <= cores && z.memoryGiB <= memoryGiB));
  // The smallest node size, memory first, then cores, on which every lost node's workloads fit:
  // the least memory every lost node can do with, then the fewest cores each needs within it.
  const needMemory = Math.max(memoryGiB, ...perLostNode.map((sizes) => Math.min(...sizes.map((z) => z.memoryGiB))));
  const sizeForOneNodeDown = {
    cores: Math.max(cores, ...perLostNode.map((sizes) => Math.min(...sizes.filter((z) => z.memoryGiB <= needMemory).map((z) => z.cores)))),
    memoryGiB: needMemory,
  };

  const perNode: VmSize = { cores, memoryGiB, osDiskGiB, dataDiskGiB };
  const replicated = services.filter((s) => s.replicas > 1);
  const pinnedBecause = isMultiHost(site) ? 'several hosts' : replicated.length > 0 ? 'replicas' : undefined;
  // Every pod counts: a replica has the service's requests and its own volume.
  const workload = sumLoad(services.flatMap((s) => Array.from({ length: s.replicas }, () => s)));
  return {
    nodes: site.talos.nodes.map((n, i) => ({
      hostname: n.hostname, vmid: n.vmid, address: n.address, ...perNode, plannedServices: placement[i].map((s) => s.name), volumesGiB: claimsOnHost ? volumesPerNode[i] : 0,
    })),
    perNode,
    totals: { cores: cores * nodeCount, memoryGiB: memoryGiB * nodeCount, osDiskGiB: osDiskGiB * nodeCount, dataDiskGiB: dataDiskGiB * nodeCount },
    volumesGiB: csi ? volumesPerNode.reduce((a, b) => a + b, 0) + addOnStorageGiB : 0,
    overheadPerNode: { ...overhead, items },
    addOnPods,
    workload: { cpu: round3(workload.cpu), memoryGiB: round3(workload.memoryGiB), storageGiB: workload.storageGiB, services },
    fitsWithOneNodeDown,
    sizeForOneNodeDown,
    notes: [
      `each node: the largest placement group (${round3(peak.cpu)} CPU, ${round3(peak.memoryGiB)} GiB) plus ${overhead.cpu} CPU / ${overhead.memoryGiB} GiB for Talos/Kubernetes and the add-on pods, rounded up`,
      fitsWithOneNodeDown
        ? `the stack's requests fit on ${spelled(nodeCount - 1)} nodes, ${pinnedBecause ? `but the placement pins each service group to its VM (${pinnedBecause}), so a group whose VM is down waits for it` : 'so it can be rescheduled when one node is down'}`
        : `with one node down the stack's requests do not fit on the other ${spelled(nodeCount - 1)}; nodes of ${sizeForOneNodeDown.cores} cores / ${sizeForOneNodeDown.memoryGiB} GiB would`,
      csi
        ? 'Proxmox CSI volumes are disks of the Proxmox storage, attached to the VM the pod runs on; the placement still holds each pod to its planned VM, so a service whose VM is down waits for it'
        : 'local-path volumes live on one node\'s data disk and the placement keeps groups apart: a service whose node is down waits for that node whatever the CPU/memory headroom',
      ...replicated.map((s) => `${s.name} runs ${s.replicas} pods, on ${wordList(replicaNodes(site, s.name), 'and')}: one per ${isMultiHost(site) ? 'Proxmox host' : 'node'}, ${s.storageGiB > 0 ? `each with its own ${s.storageGiB} GiB volume` : 'without a volume'}, so losing one leaves ${spelled(s.replicas - 1)}`),
      ...(workers(site).length > 0
        ? ['workers get the control-plane size: any node may carry any placement group, and what a worker does not run (API server, controller manager, scheduler, etcd) stays as headroom']
        : []),
      csi
        ? `no data disk: each claim is a Proxmox disk the CSI plugin creates (${volumesPerNode.reduce((a, b) => a + b, 0) + addOnStorageGiB} GiB in all, the etcd snapshot volume's ${addOnStorageGiB} GiB included), on the storages of kubernetes.proxmoxCsi`
        : `data disk: the largest placement group's volumes (${maxColocatedStorage} GiB) and the etcd snapshot volume (${addOnStorageGiB} GiB), plus ${Math.round((DATA_DISK_HEADROOM - 1) * 100)} %`,
    ],
  };
}

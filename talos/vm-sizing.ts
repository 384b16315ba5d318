/**
 * Sizes the three Talos VMs from the stack's own requests plus what Talos and Kubernetes take
 * on every node. Every node is control plane + worker, so each carries the full per-node
 * overhead. Figures and sources: research/proxmox-talos.md §2.2 (Talos v1.13.0 source).
 */
import type { Site } from '../site';

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
  { name: 'node-exporter, Alloy, kube-state-metrics share', cpu: 0.25, memoryGiB: 0.4, source: '[est] research/proxmox-talos.md §2.2' },
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
  /** Services the balanced placement puts here (the scheduler may choose differently). */
  readonly plannedServices: readonly string[];
}

export interface TalosVmSizing {
  readonly nodes: readonly TalosNodeVm[];
  /** The size every node gets (nodes are identical so any one can carry any bin). */
  readonly perNode: VmSize;
  readonly totals: VmSize;
  readonly overheadPerNode: { readonly cpu: number; readonly memoryGiB: number; readonly items: readonly OverheadItem[] };
  readonly workload: { readonly cpu: number; readonly memoryGiB: number; readonly storageGiB: number; readonly services: readonly StackService[] };
  /** True when the stack's CPU and memory requests still fit on the two remaining nodes. */
  readonly fitsWithOneNodeDown: boolean;
  /** Smallest identical node size for which two nodes hold the whole stack. */
  readonly sizeForOneNodeDown: { readonly cores: number; readonly memoryGiB: number };
  /** Why the answer is what it is, including the local-path caveat. */
  readonly notes: readonly string[];
}

export function stackServices(site: Site): StackService[] {
  return (['prometheus', 'grafana', 'loki', 'alertmanager'] as const).map((name) => ({
    name,
    cpu: site[name].cpu,
    memoryGiB: site[name].memoryGiB,
    storageGiB: site[name].storageGiB,
  }));
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** Guards ceil against float noise such as 4.000000001. */
const ceilUp = (n: number, step = 1) => Math.ceil(round3(n) / step - 1e-9) * step;

interface Load { cpu: number; memoryGiB: number }

/** Balanced greedy placement: biggest memory first, onto the least-loaded node. */
function placeBalanced(services: readonly StackService[], nodeCount: number): StackService[][] {
  const bins: StackService[][] = Array.from({ length: nodeCount }, () => []);
  const load = (bin: StackService[]) => bin.reduce((l, s) => ({ cpu: l.cpu + s.cpu, memoryGiB: l.memoryGiB + s.memoryGiB }), { cpu: 0, memoryGiB: 0 });
  const sorted = [...services].sort((a, b) => b.memoryGiB - a.memoryGiB || b.cpu - a.cpu || a.name.localeCompare(b.name));
  for (const s of sorted) {
    let best = 0;
    bins.forEach((bin, i) => {
      const l = load(bin);
      const b = load(bins[best]);
      if (l.memoryGiB < b.memoryGiB || (l.memoryGiB === b.memoryGiB && l.cpu < b.cpu)) best = i;
    });
    bins[best].push(s);
  }
  return bins;
}

function sumLoad(services: readonly StackService[]): Load & { storageGiB: number } {
  return services.reduce((l, s) => ({ cpu: l.cpu + s.cpu, memoryGiB: l.memoryGiB + s.memoryGiB, storageGiB: l.storageGiB + s.storageGiB }), { cpu: 0, memoryGiB: 0, storageGiB: 0 });
}

/** Every way of splitting the services into `count` groups (services are few: 4 by default). */
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

function fits(services: readonly StackService[], room: Load): boolean {
  const l = sumLoad(services);
  return round3(l.cpu) <= round3(room.cpu) && round3(l.memoryGiB) <= round3(room.memoryGiB);
}

/** Per-node VM sizes, totals and the one-node-down check for the site's stack. */
export function talosVmSizing(site: Site): TalosVmSizing {
  const services = stackServices(site);
  const overhead = {
    cpu: round3(PER_NODE_OVERHEAD.reduce((s, i) => s + i.cpu, 0)),
    memoryGiB: round3(PER_NODE_OVERHEAD.reduce((s, i) => s + i.memoryGiB, 0)),
  };
  const nodeCount = site.talos.nodes.length;
  const placement = placeBalanced(services, nodeCount);
  const peak = placement.map(sumLoad).reduce((m, l) => ({ cpu: Math.max(m.cpu, l.cpu), memoryGiB: Math.max(m.memoryGiB, l.memoryGiB) }), { cpu: 0, memoryGiB: 0 });
  const cores = Math.max(2, ceilUp(peak.cpu + overhead.cpu));
  const memoryGiB = Math.max(4, ceilUp(peak.memoryGiB + overhead.memoryGiB));
  const room: Load = { cpu: cores - overhead.cpu, memoryGiB: memoryGiB - overhead.memoryGiB };

  // local-path puts a PV wherever its pod first lands: size the data disk for the largest set
  // of services the scheduler could co-locate on one node, not for the planned placement.
  let maxColocatedStorage = 0;
  for (const [together] of assignments(services, 2)) {
    if (fits(together, room)) maxColocatedStorage = Math.max(maxColocatedStorage, sumLoad(together).storageGiB);
  }
  const dataDiskGiB = ceilUp(maxColocatedStorage * DATA_DISK_HEADROOM, 10);
  const osDiskGiB = Math.max(10, ceilUp(OS_DISK_ITEMS.reduce((s, i) => s + i.sizeGiB, 0) / IMAGE_GC_HIGH_THRESHOLD, 10));

  let fitsWithOneNodeDown = false;
  let best: Load | undefined;
  for (const bins of assignments(services, Math.max(1, nodeCount - 1))) {
    if (bins.every((b) => fits(b, room))) fitsWithOneNodeDown = true;
    const need = bins.map(sumLoad).reduce((m, l) => ({ cpu: Math.max(m.cpu, l.cpu), memoryGiB: Math.max(m.memoryGiB, l.memoryGiB) }), { cpu: 0, memoryGiB: 0 });
    if (!best || need.memoryGiB < best.memoryGiB || (need.memoryGiB === best.memoryGiB && need.cpu < best.cpu)) best = need;
  }
  const sizeForOneNodeDown = {
    cores: Math.max(cores, ceilUp(best!.cpu + overhead.cpu)),
    memoryGiB: Math.max(memoryGiB, ceilUp(best!.memoryGiB + overhead.memoryGiB)),
  };

  const perNode: VmSize = { cores, memoryGiB, osDiskGiB, dataDiskGiB };
  const workload = sumLoad(services);
  return {
    nodes: site.talos.nodes.map((n, i) => ({ hostname: n.hostname, vmid: n.vmid, address: n.address, ...perNode, plannedServices: placement[i].map((s) => s.name) })),
    perNode,
    totals: { cores: cores * nodeCount, memoryGiB: memoryGiB * nodeCount, osDiskGiB: osDiskGiB * nodeCount, dataDiskGiB: dataDiskGiB * nodeCount },
    overheadPerNode: { ...overhead, items: PER_NODE_OVERHEAD },
    workload: { cpu: round3(workload.cpu), memoryGiB: round3(workload.memoryGiB), storageGiB: workload.storageGiB, services },
    fitsWithOneNodeDown,
    sizeForOneNodeDown,
    notes: [
      `each node: the largest planned bin (${round3(peak.cpu)} CPU, ${round3(peak.memoryGiB)} GiB) plus ${overhead.cpu} CPU / ${overhead.memoryGiB} GiB Talos/Kubernetes overhead, rounded up`,
      fitsWithOneNodeDown
        ? 'the stack\'s requests fit on two nodes, so it can be rescheduled when one node is down'
        : `with one node down the stack's requests do not fit on the other two; nodes of ${sizeForOneNodeDown.cores} cores / ${sizeForOneNodeDown.memoryGiB} GiB would`,
      'local-path volumes live on one node\'s data disk: a pod whose node is down waits for it whatever the CPU/memory headroom',
      `data disk: the most storage (${maxColocatedStorage} GiB) the scheduler could put on one node, plus ${Math.round((DATA_DISK_HEADROOM - 1) * 100)} %`,
    ],
  };
}

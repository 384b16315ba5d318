import { parseSite } from '../../site';
import { PER_NODE_OVERHEAD, talosVmSizing } from '../../talos/vm-sizing';
import { CSI_SITE } from '../support/csi-site';
import { WORKERS_SITE_INPUT } from '../support/workers-site';

describe('talosVmSizing', () => {
  test('sizes the report stack at 6 cores / 11 GiB per node, 40 GiB OS + 130 GiB data disks', () => {
    const sizing = talosVmSizing(parseSite({}).site);
    // Data: Prometheus' 100 GiB + the etcd snapshot volume's 16 GiB (8 copies x 2 GiB quota), +10 %.
    expect(sizing.perNode).toEqual({ cores: 6, memoryGiB: 11, osDiskGiB: 40, dataDiskGiB: 130 });
    expect(sizing.totals).toEqual({ cores: 18, memoryGiB: 33, osDiskGiB: 120, dataDiskGiB: 390 });
    expect(sizing.workload).toMatchObject({ cpu: 12, memoryGiB: 24, storageGiB: 300 });
    expect(sizing.nodes.map((n) => n.plannedServices.length)).toEqual([1, 1, 2]);
  });

  test('reports that the stack does not fit on two nodes, and what would', () => {
    const sizing = talosVmSizing(parseSite({}).site);
    expect(sizing.fitsWithOneNodeDown).toBe(false);
    expect(sizing.sizeForOneNodeDown).toEqual({ cores: 8, memoryGiB: 15 });
  });

  test('a smaller stack fits with one node down', () => {
    const small = { cpu: 1, memoryGiB: 1, storageGiB: 10 };
    const sizing = talosVmSizing(parseSite({ prometheus: small, grafana: small, loki: small, alertmanager: small }).site);
    expect(sizing.fitsWithOneNodeDown).toBe(true);
  });

  test('sizes follow the stack requests, not constants', () => {
    const sizing = talosVmSizing(parseSite({ prometheus: { cpu: 8, memoryGiB: 16, storageGiB: 200 } }).site);
    expect(sizing.perNode.cores).toBe(10);
    expect(sizing.perNode.memoryGiB).toBe(19);
    expect(sizing.perNode.dataDiskGiB).toBe(240); // (200 + 16) x 1.1, rounded up to 10
  });

  test('the add-on pods are read from the charts and budgeted on every node', () => {
    const sizing = talosVmSizing(parseSite({}).site);
    expect(sizing.addOnPods.map((p) => p.workload)).toEqual([
      'StatefulSet/loki (syslog-gateway)', 'Deployment/blackbox-exporter', 'Deployment/pve-exporter', 'Deployment/kube-state-metrics', 'DaemonSet/node-exporter', 'Deployment/cluster-logs',
      'Deployment/local-path-provisioner', 'Deployment/kubelet-csr-approver', 'CronJob/etcd-backup',
    ]);
    // The gateway container's requests, not Loki's report sizing, which the placement plan carries.
    expect(sizing.addOnPods[0]).toEqual({ workload: 'StatefulSet/loki (syslog-gateway)', cpu: 0.25, memoryGiB: 0.25 });
    const addOnCpu = sizing.addOnPods.reduce((n, p) => n + p.cpu, 0);
    const fixedCpu = PER_NODE_OVERHEAD.reduce((n, i) => n + i.cpu, 0);
    expect(sizing.overheadPerNode.cpu).toBeCloseTo(fixedCpu + addOnCpu, 3);
  });

  test('every overhead figure names its source', () => {
    for (const item of PER_NODE_OVERHEAD) expect(item.source).not.toBe('');
  });

  describe('one node down beside replicas: each node tried as the lost one, the others keeping their own replicas', () => {
    test('one service replicated over five VMs: the single pods still fit on the other four (the replicas sit on two of them only)', () => {
      const sizing = talosVmSizing(parseSite({ ...WORKERS_SITE_INPUT, prometheus: { replicas: 2 } }).site);
      expect(sizing.fitsWithOneNodeDown).toBe(true);
      expect([sizing.perNode.cores, sizing.perNode.memoryGiB]).toEqual([6, 11]);
      expect(sizing.sizeForOneNodeDown).toEqual({ cores: 6, memoryGiB: 11 });
    });

    test('simple-scalable Loki beside single-pod services: the N+1 size holds them whichever VM is down, without a whole node\'s worth to spare', () => {
      const sizing = talosVmSizing(parseSite({ ...WORKERS_SITE_INPUT, loki: { mode: 'simple-scalable', objectStorage: { endpoint: 's3.lan:9000', bucket: 'logs' } } }).site);
      expect(sizing.fitsWithOneNodeDown).toBe(false);
      expect(sizing.sizeForOneNodeDown).toEqual({ cores: 8, memoryGiB: 15 });
    });

    test('every workload replicated: nothing has to move, so it fits at the planned size', () => {
      const sizing = talosVmSizing(CSI_SITE);
      expect(sizing.fitsWithOneNodeDown).toBe(true);
      expect(sizing.sizeForOneNodeDown).toEqual({ cores: sizing.perNode.cores, memoryGiB: sizing.perNode.memoryGiB });
    });
  });
});

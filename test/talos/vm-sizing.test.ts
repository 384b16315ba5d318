import { parseSite } from '../../site';
import { PER_NODE_OVERHEAD, talosVmSizing } from '../../talos/vm-sizing';

describe('talosVmSizing', () => {
  test('sizes the report stack at 5 cores / 11 GiB per node, 40 GiB OS + 110 GiB data disks', () => {
    const sizing = talosVmSizing(parseSite({}).site);
    expect(sizing.perNode).toEqual({ cores: 5, memoryGiB: 11, osDiskGiB: 40, dataDiskGiB: 110 });
    expect(sizing.totals).toEqual({ cores: 15, memoryGiB: 33, osDiskGiB: 120, dataDiskGiB: 330 });
    expect(sizing.workload).toMatchObject({ cpu: 12, memoryGiB: 24, storageGiB: 300 });
    expect(sizing.nodes.map((n) => n.plannedServices.length)).toEqual([1, 1, 2]);
  });

  test('reports that the stack does not fit on two nodes, and what would', () => {
    const sizing = talosVmSizing(parseSite({}).site);
    expect(sizing.fitsWithOneNodeDown).toBe(false);
    expect(sizing.sizeForOneNodeDown).toEqual({ cores: 7, memoryGiB: 15 });
  });

  test('a smaller stack fits with one node down', () => {
    const small = { cpu: 1, memoryGiB: 1, storageGiB: 10 };
    const sizing = talosVmSizing(parseSite({ prometheus: small, grafana: small, loki: small, alertmanager: small }).site);
    expect(sizing.fitsWithOneNodeDown).toBe(true);
  });

  test('sizes follow the stack requests, not constants', () => {
    const sizing = talosVmSizing(parseSite({ prometheus: { cpu: 8, memoryGiB: 16, storageGiB: 200 } }).site);
    expect(sizing.perNode.cores).toBe(9);
    expect(sizing.perNode.memoryGiB).toBe(19);
    expect(sizing.perNode.dataDiskGiB).toBe(220);
  });

  test('every overhead figure names its source', () => {
    for (const item of PER_NODE_OVERHEAD) expect(item.source).not.toBe('');
  });
});

/**
 * Issue 14's topology (three hosts, three control planes and two workers, Proxmox CSI volumes,
 * Prometheus/Grafana/Alertmanager replicas, simple-scalable Loki on S3) against a real kube-apiserver of the site's release:
 * every layer of its dist/ in Argo CD's wave order with server-side apply, Pod Security admission
 * as the synthesized Talos config sets it, then a pod of every workload admitted (dry-run). The
 * Helm charts (MetalLB, the Proxmox CSI plugin) are rendered by the GitOps controllers, not here:
 * their steps install only the CRDs their layer brings (MetalLB's; the CSI chart has none).
 * The default site runs the same way, with more checks, in api-server.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as YAML from 'yaml';
import { argocdLayers, syncWaves } from '../../gitops';
import { parseSite } from '../../site';
import { synthesizeTalos } from '../../talos/synthesize-talos';
import { kustomizeCommand, requireTool } from '../support/binaries';
import { CRDS_NOT_IN_SHARED, walkYamlFiles } from '../support/crd-schemas';
import { CSI_SITE_INPUT } from '../support/csi-site';
import { manifestDirs, readObjects } from '../support/dist-tree';
import { type ApiServer, startApiServer, stopAll } from '../support/kube-apiserver';
import { SHARED_DIR } from '../support/shared-dir';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';

const TITLE = 'issue 14\'s three-host site with Proxmox CSI and replicas against a real API server';
const haveTools = ['kube-apiserver', 'etcd', 'kubectl', 'openssl'].map((t) => requireTool(t, 'a real Kubernetes API server')).every(Boolean);
const describeWithServer = (body: () => void) => (haveTools ? describe(TITLE, body) : describe.skip(`${TITLE} [SKIPPED: kube-apiserver, etcd or kubectl not installed]`, body));

const CONTROLLER_NAMESPACES = ['argocd', 'flux-system'];
const CONTROLLER_CRD_GROUPS = ['argoproj.io', 'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io'];
/** What Pod Security says of node-exporter at the namespaces' "restricted" warn level (api-server.test.ts has the same). */
const NODE_EXPORTER_PSA_WARNING = /^Warning: would violate PodSecurity "restricted:v1\.\d+": host namespaces \(hostNetwork=true, hostPID=true\)/;

function build(dir: string): string {
  const [bin, ...args] = kustomizeCommand('a real Kubernetes API server')!;
  const r = spawnSync(bin, [...args, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kustomize ${dir}: ${r.stderr}`);
  // Objects whose CRD is in neither ../shared nor dist/ (the Talos ServiceAccount) are applied by nobody here.
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter((o) => !(`${o.apiVersion}|${o.kind}` in CRDS_NOT_IN_SHARED)).map((o) => YAML.stringify(o)).join('---\n');
}

describeWithServer(() => {
  const site = parseSite(CSI_SITE_INPUT).site;
  const { outDir } = synthToTemp(writeSiteFile(tempDir('apiserver-csi-site-'), YAML.stringify(CSI_SITE_INPUT)));
  const objects = readObjects(outDir);
  const layers = argocdLayers(site);
  const waves = syncWaves(layers);
  const order = [...layers].sort((a, b) => waves.get(a.name)! - waves.get(b.name)!);
  const applied: { layer: string; status: number | null; stderr: string }[] = [];
  let server: ApiServer;

  const crdFiles = (groups: (g: string) => boolean) => walkYamlFiles(path.join(SHARED_DIR, 'schemas', 'crds')).filter((f) => {
    const crd = YAML.parse(fs.readFileSync(f, 'utf8'));
    return crd?.kind === 'CustomResourceDefinition' && groups(crd.spec.group) && objects.some((o) => o.apiVersion.startsWith(`${crd.spec.group}/`) && o.kind === crd.spec.names.kind);
  });
  const installCrds = (files: string[]) => {
    if (files.length === 0) return;
    const r = server.kubectl(['apply', '--server-side', '--field-manager=installer', ...files.flatMap((f) => ['-f', f])]);
    if (r.status !== 0) throw new Error(`CRDs: ${r.stderr}`);
    const wait = server.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...files.flatMap((f) => ['-f', f])]);
    if (wait.status !== 0) throw new Error(`CRDs not established: ${wait.stderr}`);
  };

  beforeAll(async () => {
    const talosRoot = tempDir('talos-for-apiserver-csi-');
    const { secretFiles } = await synthesizeTalos(site, { projectRoot: talosRoot, now: new Date('2026-08-18T10:00:00Z') });
    const nodeConfig = YAML.parseAllDocuments(fs.readFileSync(secretFiles.find((f) => f.endsWith(`${site.talos.nodes[0].hostname}.yaml`))!, 'utf8'))[0].toJS();
    server = await startApiServer(tempDir('kube-apiserver-csi-'), { admissionControl: nodeConfig.cluster.apiServer.admissionControl });
    installCrds(crdFiles((g) => CONTROLLER_CRD_GROUPS.includes(g)));
    for (const ns of CONTROLLER_NAMESPACES) server.kubectl(['create', 'namespace', ns]);
    for (const layer of order) {
      if (layer.source.kind === 'helm') {
        // The chart's CRDs, as its layer installs them (MetalLB's; none for the CSI plugin).
        installCrds(crdFiles((g) => layer.name === 'metallb' && g === 'metallb.io'));
        continue;
      }
      const r = server.kubectl(['apply', '--server-side', `--field-manager=${layer.name}`, '-f', '-'], build(path.join(outDir, layer.source.directory)));
      applied.push({ layer: layer.name, status: r.status, stderr: r.stderr.trim() });
    }
    for (const dir of manifestDirs(outDir).filter((d) => d.startsWith('gitops/'))) {
      const r = server.kubectl(['apply', '--server-side', '--field-manager=gitops-delivery', '-f', '-'], build(path.join(outDir, dir)));
      applied.push({ layer: dir, status: r.status, stderr: r.stderr.trim() });
    }
  }, 300000);
  afterAll(() => stopAll());

  test('the CSI layer sits between platform-base and the layers with claims', () => {
    expect(order.map((l) => l.name)).toEqual(['platform-base', 'metallb', 'proxmox-csi', 'platform-custom-resources', 'monitoring', 'backups']);
  });

  test('every layer and every GitOps directory applies server-side with no error, and no warning but node-exporter\'s Pod Security one', () => {
    expect(applied.length).toBeGreaterThan(6);
    for (const a of applied) {
      expect({ layer: a.layer, status: a.status }).toEqual({ layer: a.layer, status: 0 });
      if (a.layer === 'monitoring') expect(a.stderr).toMatch(NODE_EXPORTER_PSA_WARNING);
      else expect({ layer: a.layer, stderr: a.stderr }).toEqual({ layer: a.layer, stderr: '' });
    }
  });

  test('the StorageClasses, the OCIRepository and the CSI Application are stored', () => {
    const get = (args: string[]) => server.kubectl(['get', ...args, '-o', 'name']).stdout.trim().split('\n').sort();
    expect(get(['storageclass'])).toEqual(['storageclass.storage.k8s.io/proxmox-ceph', 'storageclass.storage.k8s.io/proxmox-local']);
    expect(get(['ocirepository', '-n', 'flux-system'])).toEqual(['ocirepository.source.toolkit.fluxcd.io/proxmox-csi-plugin']);
    expect(get(['application', '-n', 'argocd'])).toContain('application.argoproj.io/pve01-monitoring-proxmox-csi');
  });

  test('a pod of every workload is admitted as its controller would create it (dry-run): replicas, gossip ports, emptyDir database, Loki\'s three targets', () => {
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(o.kind)) as any[];
    for (const ns of new Set(workloads.map((w) => w.metadata.namespace as string))) server.kubectl(['create', 'serviceaccount', 'default', '-n', ns]);
    const problems = workloads.map((w) => {
      const template = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template : w.spec.template;
      const claims = (w.kind === 'StatefulSet' ? w.spec.volumeClaimTemplates ?? [] : []).map((c: { metadata: { name: string } }) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${w.metadata.name}-0` } }));
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${w.metadata.name}-dry-run`, namespace: w.metadata.namespace }, spec: { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] } };
      const r = server.kubectl(['create', '--dry-run=server', '-f', '-'], YAML.stringify(pod));
      return { workload: `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`, status: r.status, stderr: r.stderr.trim() };
    }).filter((r) => r.status !== 0 || (r.stderr !== '' && !NODE_EXPORTER_PSA_WARNING.test(r.stderr)));
    expect(problems).toEqual([]);
    expect(workloads.map((w) => w.metadata.name)).toEqual(expect.arrayContaining(['prometheus', 'alertmanager', 'grafana', 'loki-write', 'loki-read', 'loki-backend']));
    expect(workloads.map((w) => w.metadata.name)).not.toContain('loki');
  });
});

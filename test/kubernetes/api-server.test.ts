/**
 * Every layer of dist/ against a real kube-apiserver of the site's Kubernetes release (with etcd;
 * test/support/kube-apiserver.ts): the CRDs dist/ uses from ../shared/schemas/crds first, then the
 * layers in the GitOps order with server-side apply, Pod Security admission at the namespaces'
 * levels. What the schemas cannot see — CRD patterns and CEL rules, admission, immutable fields,
 * field-manager conflicts — the real server decides here. One server per test run (this file).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { loadSite } from '../../site';
import { synthesizeTalos } from '../../talos/synthesize-talos';
import { kustomizeCommand, requireTool } from '../support/binaries';
import { walkYamlFiles } from '../support/crd-schemas';
import { manifestDirs, readObjects, type DistObject } from '../support/dist-tree';
import { type ApiServer, startApiServer } from '../support/kube-apiserver';
import { SHARED_DIR } from '../support/shared-dir';
import { synthToTemp, tempDir } from '../support/synth-once';
import { spawnSync } from 'node:child_process';

/** The layers in the order Argo CD's waves and Flux's dependsOn apply them (README, GitOps delivery). */
const LAYERS = ['platform/base', 'platform/custom-resources', 'monitoring', 'platform/backups'];
/** The delivery objects themselves (every GitOps kustomization: root, projects, apps, Flux layers). */
const deliveryDirs = (outDir: string) => manifestDirs(outDir).filter((d) => d.startsWith('gitops/'));
/** Namespaces the GitOps controllers' own installers create (not dist/'s to make). */
const CONTROLLER_NAMESPACES = ['argocd', 'flux-system'];
/**
 * Objects whose CRD is not in ../shared and not in dist/: applied by nobody here, each with why.
 * Talos creates the talos.dev CRD itself when kubernetesTalosAPIAccess is enabled.
 */
const NOT_APPLIED: Record<string, string> = { 'talos.dev/v1alpha1|ServiceAccount': 'CRD installed by Talos at runtime' };

const haveTools = ['kube-apiserver', 'etcd', 'kubectl', 'openssl'].map((t) => requireTool(t, 'a real Kubernetes API server')).every(Boolean);
const describeWithServer = haveTools ? describe : describe.skip;

function build(dir: string): string {
  const [bin, ...args] = kustomizeCommand('a real Kubernetes API server')!;
  const r = spawnSync(bin, [...args, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kustomize ${dir}: ${r.stderr}`);
  return r.stdout;
}

/** Drops the objects listed in NOT_APPLIED from a multi-document stream; returns what was dropped. */
function withoutUnavailable(stream: string): { text: string; dropped: string[] } {
  const docs = YAML.parseAllDocuments(stream).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
  const dropped = docs.filter((o) => `${o.apiVersion}|${o.kind}` in NOT_APPLIED).map((o) => `${o.apiVersion}|${o.kind}|${o.metadata.name}`);
  return { text: docs.filter((o) => !(`${o.apiVersion}|${o.kind}` in NOT_APPLIED)).map((o) => YAML.stringify(o)).join('---\n'), dropped };
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => /^Warning:/.test(l));

describeWithServer('dist/ on a real Kubernetes API server', () => {
  const site = loadSite().site;
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  let server: ApiServer;
  const applied: Record<string, { status: number | null; stdout: string; stderr: string }> = {};
  const dropped: string[] = [];
  const DELIVERY = deliveryDirs(outDir);
  let admissionControl: { name: string; configuration: { defaults: Record<string, string> } }[] = [];

  beforeAll(async () => {
    // Pod Security admission configured as the generated Talos config configures it (cluster-wide
    // defaults for namespaces without labels, exemptions), taken from the synthesized node config.
    const talosRoot = tempDir('talos-for-apiserver-');
    const { secretFiles } = await synthesizeTalos(site, { projectRoot: talosRoot, now: new Date('2026-08-18T10:00:00Z') });
    const nodeConfig = YAML.parseAllDocuments(fs.readFileSync(secretFiles.find((f) => f.endsWith(`${site.talos.nodes[0].hostname}.yaml`))!, 'utf8'))[0].toJS();
    admissionControl = nodeConfig.cluster.apiServer.admissionControl;
    server = await startApiServer(tempDir('kube-apiserver-'), { admissionControl });
    // The CRDs dist/ uses, from ../shared (what MetalLB's chart, Argo CD and Flux would install).
    const used = new Set(objects.map((o) => `${o.apiVersion.split('/')[0]}|${o.kind}`));
    const crds = walkYamlFiles(path.join(SHARED_DIR, 'schemas', 'crds')).filter((f) => {
      const crd = YAML.parse(fs.readFileSync(f, 'utf8'));
      return crd?.kind === 'CustomResourceDefinition' && used.has(`${crd.spec.group}|${crd.spec.names.kind}`);
    });
    const crdResult = server.kubectl(['apply', '--server-side', '--field-manager=crd-installer', ...crds.flatMap((f) => ['-f', f])]);
    if (crdResult.status !== 0) throw new Error(`CRDs: ${crdResult.stderr}`);
    server.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    for (const ns of CONTROLLER_NAMESPACES) server.kubectl(['create', 'namespace', ns]);
    for (const layer of [...LAYERS, ...DELIVERY]) {
      const { text, dropped: d } = withoutUnavailable(build(path.join(outDir, layer)));
      dropped.push(...d);
      applied[layer] = server.kubectl(['apply', '--server-side', `--field-manager=${layer.replace(/\//g, '-')}`, '-f', '-'], text);
    }
  }, 240000);
  afterAll(() => server?.stop());

  test('Pod Security admission runs with the Talos config\'s cluster-wide defaults: an unlabelled namespace enforces baseline', () => {
    expect(admissionControl.map((p) => p.name)).toEqual(['PodSecurity']);
    expect(admissionControl[0].configuration.defaults.enforce).toBe('baseline');
    server.kubectl(['create', 'namespace', 'unlabelled']);
    server.kubectl(['create', 'serviceaccount', 'default', '-n', 'unlabelled']);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'host-network', namespace: 'unlabelled' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const r = server.kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], YAML.stringify(pod));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
  });

  test('the server is the site\'s Kubernetes release', () => {
    const version = JSON.parse(server.kubectl(['version', '-o', 'json']).stdout).serverVersion.gitVersion;
    expect(version).toBe(`v${site.kubernetes.version}`);
  });

  test.each([...LAYERS, ...DELIVERY])('%s applies server-side with no error and no warning', (layer) => {
    expect({ layer, status: applied[layer].status, stderr: applied[layer].stderr.trim() }).toEqual({ layer, status: 0, stderr: '' });
  });

  test('only the objects listed with a reason were left out', () => {
    const expected = objects.filter((o) => `${o.apiVersion}|${o.kind}` in NOT_APPLIED).map((o) => `${o.apiVersion}|${o.kind}|${o.metadata.name}`);
    expect(dropped).toEqual(expected);
  });

  test('every object of dist/ is stored by the server', () => {
    const stored = [...LAYERS, ...DELIVERY].flatMap((layer) => {
      const r = server.kubectl(['get', '-f', '-', '-o', 'json'], withoutUnavailable(build(path.join(outDir, layer))).text);
      expect({ layer, stderr: r.stderr.trim() }).toEqual({ layer, stderr: '' });
      const list = JSON.parse(r.stdout) as { items?: DistObject[] } & DistObject;
      return (list.items ?? [list]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    });
    const expected = objects.filter((o) => !(`${o.apiVersion}|${o.kind}` in NOT_APPLIED)).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    // The root kustomizations also include their project: count each object once.
    expect([...new Set(stored)].sort()).toEqual(expected.sort());
  });

  test('re-applying every layer is a no-op without conflicts', () => {
    for (const layer of LAYERS) {
      const r = server.kubectl(['apply', '--server-side', `--field-manager=${layer.replace(/\//g, '-')}`, '-f', '-'], withoutUnavailable(build(path.join(outDir, layer))).text);
      expect({ layer, status: r.status, stderr: r.stderr.trim() }).toEqual({ layer, status: 0, stderr: '' });
      expect(r.stdout).not.toMatch(/configured$/m);
    }
  });

  describe('what the real server refuses', () => {
    test('a Flux GitRepository with an scp-style URL (the CRD\'s pattern)', () => {
      const repo = objects.find((o) => o.kind === 'GitRepository')!;
      const { file: _file, ...copy } = JSON.parse(JSON.stringify(repo));
      copy.metadata.name = 'scp-style';
      copy.spec.url = 'git@github.com:example/monitoring.git';
      const r = server.kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], YAML.stringify(copy));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/spec\.url: Invalid value: "git@github\.com:example\/monitoring\.git": spec\.url in body should match/);
    });

    test('a pod that breaks `restricted` in the stack\'s namespace (Pod Security admission)', () => {
      const ns = site.kubernetes.namespace;
      server.kubectl(['create', 'serviceaccount', 'default', '-n', ns]);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'breaks-restricted', namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } };
      const r = server.kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], YAML.stringify(pod));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/violates PodSecurity "restricted:v1\.36": privileged/);
    });

    test('a workload whose template breaks `restricted` is warned about at apply time', () => {
      const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!;
      const { file: _file, ...copy } = JSON.parse(JSON.stringify(sts));
      copy.metadata.name = 'prometheus-unsafe';
      copy.spec.template.spec.containers[0].securityContext = { ...copy.spec.template.spec.containers[0].securityContext, allowPrivilegeEscalation: true };
      const r = server.kubectl(['apply', '--server-side', '--field-manager=test', '--dry-run=server', '-f', '-'], YAML.stringify(copy));
      expect(warnings(r.stderr).join('\n')).toMatch(/would violate PodSecurity "restricted:v1\.36": allowPrivilegeEscalation != false/);
    });

    test('a changed StatefulSet selector on re-apply (immutable field)', () => {
      const sts = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'prometheus')!;
      const { file: _file, ...copy } = JSON.parse(JSON.stringify(sts));
      copy.spec.selector.matchLabels = { ...copy.spec.selector.matchLabels, extra: 'label' };
      copy.spec.template.metadata.labels = { ...copy.spec.template.metadata.labels, extra: 'label' };
      const r = server.kubectl(['apply', '--server-side', '--field-manager=monitoring', '-f', '-'], YAML.stringify(copy));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/The StatefulSet "prometheus" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
    });

    test('another manager changing a field a layer owns is a conflict (server-side apply)', () => {
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-config')!;
      const { file: _file, ...copy } = JSON.parse(JSON.stringify(cm));
      copy.data['prometheus.yml'] = 'global: {}\n';
      const r = server.kubectl(['apply', '--server-side', '--field-manager=someone-else', '-f', '-'], YAML.stringify(copy));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Apply failed with 1 conflict: conflict with "monitoring": \.data\.prometheus\.yml/);
    });
  });
});

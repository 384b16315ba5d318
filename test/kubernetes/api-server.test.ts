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
import { CRDS_NOT_IN_SHARED, walkYamlFiles } from '../support/crd-schemas';
import { manifestDirs, readObjects, type DistObject } from '../support/dist-tree';
import { type ApiServer, startApiServer, stopAll } from '../support/kube-apiserver';
import { SHARED_DIR } from '../support/shared-dir';
import { synthToTemp, tempDir } from '../support/synth-once';

import { spawnSync } from 'node:child_process';

/** What Pod Security says of node-exporter at "restricted" (the namespaces' warn level): its host access, nothing else. */
const NODE_EXPORTER_PSA_WARNING = 'Warning: would violate PodSecurity "restricted:v1.36": host namespaces (hostNetwork=true, hostPID=true), hostPort (container "node-exporter" uses hostPort 9100), restricted volume types (volumes "proc", "sys", "root" use restricted volume type "hostPath")';

/** Namespaces the GitOps controllers' own installers create (not dist/'s to make). */
const CONTROLLER_NAMESPACES = ['argocd', 'flux-system'];
/** CRDs the GitOps controllers' installers bring (before any layer). */
const CONTROLLER_CRD_GROUPS = ['argoproj.io', 'source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io'];
/** CRDs the MetalLB chart brings, at the layer that installs it. */
const METALLB_CRD_GROUP = 'metallb.io';
/** Objects whose CRD is not in ../shared and not in dist/: applied by nobody here. */
const NOT_APPLIED = CRDS_NOT_IN_SHARED;

/** The delivery objects themselves (every GitOps kustomization: root, projects, apps, Flux layers). */
const deliveryDirs = (outDir: string) => manifestDirs(outDir).filter((d) => d.startsWith('gitops/'));

/** The MetalLB chart's step (a Helm source in Argo CD, gitops/flux/metallb in Flux). */
const METALLB_STEP = 'metallb chart';

interface ArgoApplication { metadata: { name: string; annotations: Record<string, string> }; spec: { source: { path?: string; chart?: string } } }
interface FluxKustomization { metadata: { name: string }; spec: { path: string; dependsOn?: { name: string }[] } }

/** The layers in Argo CD's sync-wave order: dist/ directories, and METALLB_STEP for the chart. */
function argoOrder(objects: readonly DistObject[]): string[] {
  const apps = objects.filter((o) => o.kind === 'Application' && o.file.startsWith('gitops/argocd/apps/')) as unknown as ArgoApplication[];
  return apps
    .map((a) => ({ wave: Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']), step: a.spec.source.path?.replace(/^dist\//, '') ?? (a.spec.source.chart === 'metallb' ? METALLB_STEP : `chart ${a.spec.source.chart}`) }))
    .sort((a, b) => a.wave - b.wave)
    .map((a) => a.step);
}

/** Flux's layers and what each waits for, as `dist/ directory` → directories (METALLB_STEP for the chart). */
function fluxDependencies(objects: readonly DistObject[]): Map<string, string[]> {
  const layers = objects.filter((o) => o.kind === 'Kustomization' && o.file.startsWith('gitops/flux/layers/')) as unknown as FluxKustomization[];
  const step = (l: FluxKustomization) => (l.spec.path === './dist/gitops/flux/metallb' ? METALLB_STEP : l.spec.path.replace(/^\.\/dist\//, ''));
  const byName = new Map(layers.map((l) => [l.metadata.name, step(l)]));
  return new Map(layers.map((l) => [step(l), (l.spec.dependsOn ?? []).map((d) => byName.get(d.name) ?? `missing ${d.name}`)]));
}

const haveTools = ['kube-apiserver', 'etcd', 'kubectl', 'openssl'].map((t) => requireTool(t, 'a real Kubernetes API server')).every(Boolean);
const TITLE = 'dist/ on a real Kubernetes API server';
const describeWithServer = (body: () => void) => (haveTools ? describe(TITLE, body) : describe.skip(`${TITLE} [SKIPPED: kube-apiserver, etcd or kubectl not installed]`, body));

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

describeWithServer(() => {
  const site = loadSite().site;
  const { outDir } = synthToTemp();
  const objects = readObjects(outDir);
  let server: ApiServer;
  const applied: Record<string, { status: number | null; stdout: string; stderr: string }> = {};
  const dropped: string[] = [];
  const DELIVERY = deliveryDirs(outDir);
  let admissionControl: { name: string; configuration: { defaults: Record<string, string> } }[] = [];

  const order = argoOrder(objects);
  const crdFiles = (groups: (g: string) => boolean) => walkYamlFiles(path.join(SHARED_DIR, 'schemas', 'crds')).filter((f) => {
    const crd = YAML.parse(fs.readFileSync(f, 'utf8'));
    return crd?.kind === 'CustomResourceDefinition' && groups(crd.spec.group) && objects.some((o) => o.apiVersion.startsWith(`${crd.spec.group}/`) && o.kind === crd.spec.names.kind);
  });
  const installCrds = (files: string[], manager: string) => {
    const r = server.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...files.flatMap((f) => ['-f', f])]);
    if (r.status !== 0) throw new Error(`CRDs: ${r.stderr}`);
    const wait = server.kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...files.flatMap((f) => ['-f', f])]);
    if (wait.status !== 0) throw new Error(`CRDs not established: ${wait.stderr}`);
  };
  /** One field manager per layer (as one Argo CD Application or Flux Kustomization owns it); the GitOps kustomizations nest, so they share one. */
  const manager = (dir: string) => (dir.startsWith('gitops/') ? 'gitops-delivery' : dir.replace(/\//g, '-'));
  const LAYER_DIRS = order.filter((d) => d !== METALLB_STEP);
  /** The apply stream of a directory: kustomize's output as is, unless NOT_APPLIED objects must go. */
  const applyStream = (dir: string) => {
    const built = build(path.join(outDir, dir));
    const { text, dropped: d } = withoutUnavailable(built);
    return { text: d.length ? text : built, dropped: d };
  };

  beforeAll(async () => {
    // Pod Security admission configured as the generated Talos config configures it (cluster-wide
    // defaults for namespaces without labels, exemptions), taken from the synthesized node config.
    const talosRoot = tempDir('talos-for-apiserver-');
    const { secretFiles } = await synthesizeTalos(site, { projectRoot: talosRoot, now: new Date('2026-08-18T10:00:00Z') });
    const nodeConfig = YAML.parseAllDocuments(fs.readFileSync(secretFiles.find((f) => f.endsWith(`${site.talos.nodes[0].hostname}.yaml`))!, 'utf8'))[0].toJS();
    admissionControl = nodeConfig.cluster.apiServer.admissionControl;
    server = await startApiServer(tempDir('kube-apiserver-'), { admissionControl });
    // What the controllers' installers create, then the layers in Argo CD's wave order; the MetalLB chart's
    // CRDs arrive at its layer, so a custom resource placed before it would fail here as on a cluster.
    installCrds(crdFiles((g) => CONTROLLER_CRD_GROUPS.includes(g)), 'controller-installer');
    for (const ns of CONTROLLER_NAMESPACES) server.kubectl(['create', 'namespace', ns]);
    for (const dir of order) {
      if (dir === METALLB_STEP) { installCrds(crdFiles((g) => g === METALLB_CRD_GROUP), 'metallb-chart'); continue; }
      const { text, dropped: d } = applyStream(dir);
      dropped.push(...d);
      applied[dir] = server.kubectl(['apply', '--server-side', `--field-manager=${manager(dir)}`, '-f', '-'], text);
    }
    for (const dir of DELIVERY) applied[dir] = server.kubectl(['apply', '--server-side', `--field-manager=${manager(dir)}`, '-f', '-'], applyStream(dir).text);
  }, 300000);
  // Also when beforeAll timed out before `server` was set: every daemon started is killed.
  afterAll(() => stopAll());

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

  test('the layers are applied in Argo CD\'s wave order, and Flux\'s dependsOn never runs a layer before one applied earlier here that it needs', () => {
    expect(order).toEqual(['platform/base', METALLB_STEP, 'platform/custom-resources', 'monitoring', 'platform/backups']);
    const deps = fluxDependencies(objects);
    expect([...deps.keys()].sort()).toEqual([...order].sort());
    for (const [layer, needs] of deps) {
      for (const need of needs) {
        expect(order).toContain(need);
        expect([layer, order.indexOf(need) < order.indexOf(layer)]).toEqual([layer, true]);
      }
    }
    // What the custom resources need arrives first in both: MetalLB's chart before platform/custom-resources.
    expect(deps.get('platform/custom-resources')).toContain(METALLB_STEP);
  });

  test.each([...LAYER_DIRS, ...DELIVERY])('%s applies server-side with no error and no warning but the expected Pod Security one', (layer) => {
    // Namespaces warn at "restricted" everywhere so exceptions stay visible: node-exporter's host
    // access (host-metrics, enforce privileged) is the one, and it names exactly those fields.
    const expected = layer === 'monitoring' ? NODE_EXPORTER_PSA_WARNING : '';
    expect({ layer, status: applied[layer].status, stderr: applied[layer].stderr.trim() }).toEqual({ layer, status: 0, stderr: expected });
  });

  test('only the objects listed with a reason were left out', () => {
    const expected = objects.filter((o) => `${o.apiVersion}|${o.kind}` in NOT_APPLIED).map((o) => `${o.apiVersion}|${o.kind}|${o.metadata.name}`);
    expect(dropped).toEqual(expected);
  });

  test('every object of dist/ is stored by the server', () => {
    const stored = [...LAYER_DIRS, ...DELIVERY].flatMap((layer) => {
      const r = server.kubectl(['get', '-f', '-', '-o', 'json'], applyStream(layer).text);
      expect({ layer, stderr: r.stderr.trim() }).toEqual({ layer, stderr: '' });
      const list = JSON.parse(r.stdout) as { items?: DistObject[] } & DistObject;
      return (list.items ?? [list]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    });
    const expected = objects.filter((o) => !(`${o.apiVersion}|${o.kind}` in NOT_APPLIED)).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    // The root kustomizations also include their project: count each object once.
    expect([...new Set(stored)].sort()).toEqual(expected.sort());
  });

  // The stored objects without what every write refreshes: resourceVersion and managedFields' times.
  // (A PersistentVolumeClaim is rewritten by every apply with nothing else changing — the server's
  // doing — so resourceVersion is left out for every kind; generation, where a kind has one, stays.)
  const stored = (text: string) => {
    const r = server.kubectl(['get', '-f', '-', '-o', 'json', '--show-managed-fields'], text);
    if (r.status !== 0) throw new Error(`kubectl get: ${r.stderr}`);
    const list = JSON.parse(r.stdout) as { items?: any[] } & Record<string, any>;
    return (list.items ?? [list]).map((o) => {
      const { resourceVersion: _rv, managedFields, ...metadata } = o.metadata;
      return { ...o, metadata: { ...metadata, managedFields: managedFields.map(({ time: _t, ...m }: { time: string }) => m) } };
    });
  };

  test('re-applying every layer changes nothing: every stored object identical (resourceVersion aside), generations unchanged, no conflict', () => {
    for (const layer of [...LAYER_DIRS, ...DELIVERY]) {
      const { text } = applyStream(layer);
      const before = stored(text);
      const r = server.kubectl(['apply', '--server-side', `--field-manager=${manager(layer)}`, '-f', '-'], text);
      expect({ layer, status: r.status, stderr: r.stderr.trim() }).toEqual({ layer, status: 0, stderr: layer === 'monitoring' ? NODE_EXPORTER_PSA_WARNING : '' });
      expect({ layer, objects: stored(text) }).toEqual({ layer, objects: before });
      expect(before.length).toBeGreaterThan(0);
    }
  });

  test('the re-apply check sees drift: re-applying `ingress: []` (what the csr-approver policy used to carry) bumps the stored generation', () => {
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'kubelet-csr-approver')!;
    const { file: _file, ...copy } = JSON.parse(JSON.stringify(np));
    const text = YAML.stringify(copy);
    const withEmptyList = YAML.stringify({ ...copy, spec: { ...copy.spec, ingress: [] } });
    const manager = '--field-manager=platform-base';
    const before = stored(text);
    expect(server.kubectl(['apply', '--server-side', manager, '-f', '-'], withEmptyList).status).toBe(0);
    const once = stored(text);
    expect(server.kubectl(['apply', '--server-side', manager, '-f', '-'], withEmptyList).status).toBe(0);
    const twice = stored(text);
    expect(twice[0].metadata.generation).toBeGreaterThan(once[0].metadata.generation);
    expect(twice).not.toEqual(once);
    // Back as dist/ has it: stable again.
    server.kubectl(['apply', '--server-side', manager, '-f', '-'], text);
    const restored = stored(text);
    server.kubectl(['apply', '--server-side', manager, '-f', '-'], text);
    expect(stored(text)).toEqual(restored);
    expect(restored[0].spec).toEqual(before[0].spec);
  });

  test('a pod from every workload template is admitted as the controllers would create it (dry-run): service account, Pod Security, no warning', () => {
    const workloads = objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(o.kind));
    expect(workloads.length).toBeGreaterThan(5);
    // The controller-manager creates each namespace's default ServiceAccount.
    for (const ns of new Set(workloads.map((w) => w.metadata.namespace!))) server.kubectl(['create', 'serviceaccount', 'default', '-n', ns]);
    const problems = workloads.map((w: any) => {
      const template = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template : w.spec.template;
      // The StatefulSet controller adds a volume per claim template (claim <template>-<set>-<ordinal>).
      const claims = (w.kind === 'StatefulSet' ? w.spec.volumeClaimTemplates ?? [] : []).map((c: { metadata: { name: string } }) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${w.metadata.name}-0` } }));
      const spec = { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] };
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${w.metadata.name}-dry-run`, namespace: w.metadata.namespace }, spec };
      const r = server.kubectl(['create', '--dry-run=server', '-f', '-'], YAML.stringify(pod));
      return { workload: `${w.kind}/${w.metadata.namespace}/${w.metadata.name}`, status: r.status, stderr: r.stderr.trim() };
    }).filter((r) => r.status !== 0 || r.stderr !== '');
    // Admitted (host-metrics enforces privileged), with the restricted-level warning for its host fields only.
    expect(problems).toEqual([{ workload: 'DaemonSet/host-metrics/node-exporter', status: 0, stderr: NODE_EXPORTER_PSA_WARNING }]);
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

/**
 * Every pod the delivery tree can start — Deployment, StatefulSet, DaemonSet, Job and CronJob
 * (jobTemplate) pods, init containers included, and the local-path helper pod template — uses a
 * pinned image, and every pod in a namespace that enforces Pod Security "restricted" passes the
 * restricted profile. The checks follow the Pod Security Standards page
 * (kubernetes.io/docs/concepts/security/pod-security-standards), control by control, because the
 * admission plugin only runs inside an API server.
 */
import { readObjects } from '../support/dist-tree';
import { podsOf, type Pod, type PodSpec, type Container } from '../support/pods';
import { siteFrom, writeDeliveryTree } from './delivery-tree';

function allContainers(spec: PodSpec): { kind: string; c: Container }[] {
  return [
    ...(spec.initContainers ?? []).map((c) => ({ kind: 'initContainer', c })),
    ...spec.containers.map((c) => ({ kind: 'container', c })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({ kind: 'ephemeralContainer', c })),
  ];
}

/** A tag that names one release (x.y.z, optionally v-prefixed or with a suffix), or a digest. */
const PINNED = /^[^\s@]+(:v?\d+\.\d+\.\d+([-+][\w.-]+)?|@sha256:[0-9a-f]{64})$/;

export function unpinnedImages(pod: Pod): string[] {
  return allContainers(pod.spec)
    .filter(({ c }) => !c.image || !PINNED.test(c.image))
    .map(({ kind, c }) => `${pod.where} ${kind} ${c.name}: image ${JSON.stringify(c.image ?? null)} is not pinned to a release`);
}

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** Violations of the baseline + restricted profiles (Pod Security Standards, latest). */
export function restrictedViolations(pod: Pod): string[] {
  const s = pod.spec;
  const podCtx = s.securityContext ?? {};
  const out: string[] = [];
  const bad = (msg: string) => out.push(`${pod.where}: ${msg}`);
  if (s.hostNetwork || s.hostPID || s.hostIPC) bad('host namespaces');
  for (const v of s.volumes ?? []) {
    const type = Object.keys(v).filter((k) => k !== 'name');
    if (!type.every((t) => RESTRICTED_VOLUMES.has(t))) bad(`volume ${String(v.name)} of type ${type.join(',')}`);
  }
  if (podCtx.runAsUser === 0) bad('pod runAsUser 0');
  if (podCtx.sysctls?.length) bad('pod sysctls');
  const podSeccomp = podCtx.seccompProfile?.type;
  if (podSeccomp && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) bad(`pod seccompProfile ${podSeccomp}`);
  for (const { kind, c } of allContainers(s)) {
    const ctx = c.securityContext ?? {};
    const name = `${kind} ${c.name}`;
    if (ctx.privileged) bad(`${name}: privileged`);
    if (ctx.allowPrivilegeEscalation !== false) bad(`${name}: allowPrivilegeEscalation must be false`);
    if (!(ctx.runAsNonRoot === true || (ctx.runAsNonRoot === undefined && podCtx.runAsNonRoot === true))) bad(`${name}: runAsNonRoot must be true (container or pod)`);
    if (ctx.runAsUser === 0) bad(`${name}: runAsUser 0`);
    const seccomp = ctx.seccompProfile?.type ?? podSeccomp;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) bad(`${name}: seccompProfile must be RuntimeDefault or Localhost (container or pod)`);
    if (!(ctx.capabilities?.drop ?? []).includes('ALL')) bad(`${name}: capabilities must drop ALL`);
    const added = (ctx.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length) bad(`${name}: adds capabilities ${added.join(',')}`);
    if ((c.ports ?? []).some((p) => p.hostPort)) bad(`${name}: hostPort`);
    if (ctx.procMount && ctx.procMount !== 'Default') bad(`${name}: procMount ${ctx.procMount}`);
  }
  return out;
}

const objects = readObjects(writeDeliveryTree(siteFrom({ backups: { velero: true } })));
const pods = objects.flatMap(podsOf);
const enforce = new Map(objects.filter((o) => o.kind === 'Namespace')
  .map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']]));
const restrictedPods = pods.filter((p) => p.namespace && enforce.get(p.namespace) === 'restricted');

describe('pod specs', () => {
  test('the tree holds CronJob pods with init containers and the local-path helper pod template (what these checks must cover)', () => {
    const where = pods.map((p) => p.where);
    expect(where.some((w) => /CronJob\/etcd-backup spec\.jobTemplate\.spec\.template\.spec$/.test(w))).toBe(true);
    expect(pods.some((p) => p.where.includes('CronJob') && (p.spec.initContainers ?? []).length > 0)).toBe(true);
    expect(where.some((w) => w.includes('ConfigMap/local-path-config data["helperPod.yaml"]'))).toBe(true);
    expect(restrictedPods.some((p) => p.where.includes('CronJob/etcd-backup'))).toBe(true);
  });

  test('every container, init container and CronJob container image is pinned to a release', () => {
    expect(pods.flatMap(unpinnedImages)).toEqual([]);
  });

  test('every pod in a namespace enforcing "restricted" passes the restricted profile, init containers included', () => {
    expect(restrictedPods.length).toBeGreaterThan(0);
    expect(restrictedPods.flatMap(restrictedViolations)).toEqual([]);
  });

  test('every pod runs in a namespace the tree creates with an explicit Pod Security level', () => {
    const helperTemplate = (p: Pod) => p.where.includes('helperPod.yaml');
    expect(pods.filter((p) => !helperTemplate(p) && !(p.namespace && enforce.get(p.namespace))).map((p) => p.where)).toEqual([]);
  });
});

describe('the pod checks bite', () => {
  const cron = restrictedPods.find((p) => p.where.includes('CronJob/etcd-backup'))!;
  const mutated = (f: (s: any) => void): Pod => {
    const spec = JSON.parse(JSON.stringify(cron.spec));
    f(spec);
    return { ...cron, spec };
  };

  test('fails when an init container may escalate privileges', () => {
    expect(restrictedViolations(mutated((s) => { delete s.initContainers[0].securityContext.allowPrivilegeEscalation; })).join('\n'))
      .toMatch(/initContainer snapshot: allowPrivilegeEscalation must be false/);
  });

  test('fails when an init container keeps its capabilities', () => {
    expect(restrictedViolations(mutated((s) => { s.initContainers[0].securityContext.capabilities = {}; })).join('\n'))
      .toMatch(/initContainer snapshot: capabilities must drop ALL/);
  });

  test('fails when neither the pod nor the container sets a seccomp profile', () => {
    expect(restrictedViolations(mutated((s) => { delete s.securityContext.seccompProfile; delete s.containers[0].securityContext.seccompProfile; })).join('\n'))
      .toMatch(/container rotate: seccompProfile must be RuntimeDefault/);
  });

  test('fails when a CronJob pod mounts a hostPath', () => {
    expect(restrictedViolations(mutated((s) => { s.volumes.push({ name: 'host', hostPath: { path: '/var' } }); })).join('\n'))
      .toMatch(/volume host of type hostPath/);
  });

  test('fails when an init container image floats on a tag', () => {
    expect(unpinnedImages(mutated((s) => { s.initContainers[0].image = 'ghcr.io/siderolabs/talosctl:latest'; })).join('\n'))
      .toMatch(/initContainer snapshot: image "ghcr.io\/siderolabs\/talosctl:latest" is not pinned/);
    expect(unpinnedImages(mutated((s) => { s.containers[0].image = 'busybox'; }))).toHaveLength(1);
  });
});

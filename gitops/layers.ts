/**
 * The order the cluster is built in, in one place: both Argo CD (sync waves of the
 * app-of-apps) and Flux (Kustomization dependsOn) are generated from this list, so the two
 * controllers cannot disagree.
 *
 *   platform-base ─┬─> metallb ──> platform-custom-resources ──> monitoring
 *                  └─> backups (Argo CD: last wave, after monitoring)
 *
 * - platform-base: namespaces (with Pod Security levels), local-path-provisioner, StorageClass.
 * - metallb: the upstream MetalLB Helm chart (controller, speaker, CRDs, webhook).
 * - platform-custom-resources: IPAddressPool + L2Advertisement (need MetalLB's CRDs and webhook).
 * - backups: Talos etcd snapshot CronJob, Velero Schedule (CRDs from Talos / Velero). Its
 *   snapshot PVC stays Pending until the first scheduled run (WaitForFirstConsumer, the CronJob
 *   is its only consumer) and its CRDs may be missing, so it is synced last and waited on by nobody.
 * - monitoring: the stack (its LoadBalancer Services need the pool, its PVCs the StorageClass).
 * - proxmox-csi (kubernetes.storage: proxmox-csi only): the upstream Proxmox CSI plugin chart,
 *   after platform-base (its namespace, StorageClasses and token Secret's namespace); monitoring
 *   and backups then wait for it, since their claims need its driver.
 */
import { usesProxmoxCsi, type Site } from '../site';
import type { HelmChartRelease } from './helm-release';
import { METALLB_RELEASE } from './metallb-release';
import { PROXMOX_CSI_NAMESPACE, proxmoxCsiRelease } from './proxmox-csi-release';
import {
  ETCD_BACKUP_CRONJOB, ETCD_BACKUP_NAMESPACE, METALLB_NAMESPACE, PLATFORM_BACKUPS_DIR, PLATFORM_BASE_DIR, PLATFORM_CUSTOM_RESOURCES_DIR,
} from '../charts/platform';

/** dist/ directory of the monitoring layer (written by the monitoring renderer). */
export const MONITORING_DIR = 'monitoring';
/** dist/ directory of the SOPS-encrypted Secrets (secrets.encryption: sops-age), and of their KSOPS build for Argo CD. */
export const SECRETS_DIR = 'secrets';
export const KSOPS_DIR = 'secrets/ksops';

/** Labels of every Argo CD and Flux object the stack ships. */
export const GITOPS_LABELS = { 'app.kubernetes.io/part-of': 'monitoring-stack', 'app.kubernetes.io/managed-by': 'cdk8s' } as const;
/** dist/ directories of the GitOps controllers' own objects. */
export const ARGOCD_BOOTSTRAP_DIR = 'gitops/argocd';
export const ARGOCD_APPS_DIR = 'gitops/argocd/apps';
/** The AppProject: built by both the hand-applied bootstrap and the root Application (apps/). */
export const ARGOCD_PROJECT_DIR = 'gitops/argocd/project';
/** Optional: the argocd-cm health check that makes sync waves wait for child Applications. */
export const ARGOCD_HEALTH_CHECK_DIR = 'gitops/argocd/health-check';
export const FLUX_BOOTSTRAP_DIR = 'gitops/flux';
export const FLUX_LAYERS_DIR = 'gitops/flux/layers';
export const FLUX_METALLB_DIR = 'gitops/flux/metallb';
/** The Proxmox CSI plugin's OCIRepository and HelmRelease (kubernetes.storage: proxmox-csi). */
export const FLUX_PROXMOX_CSI_DIR = 'gitops/flux/proxmox-csi';

export type LayerSource =
  /** Plain manifests in a dist/ directory with a kustomization.yaml. */
  | {
    readonly kind: 'directory';
    readonly directory: string;
    /** Where Argo CD reads the layer instead (a kustomization with a KSOPS generator). @default directory */
    readonly argocdDirectory?: string;
  }
  /**
   * An upstream Helm chart: an Argo CD Application with a Helm source, or for Flux a chart
   * source (HelmRepository or OCIRepository) + HelmRelease kept in `fluxDirectory`.
   */
  | { readonly kind: 'helm'; readonly fluxDirectory: string; readonly release: HelmChartRelease };

/** An object whose health tells Flux that a layer is done (Kustomization `spec.healthChecks`). */
export interface LayerHealthCheck {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface DeliveryLayer {
  /** Short name; the Argo CD Application and Flux Kustomization are `<site.name>-<name>`. */
  readonly name: string;
  readonly source: LayerSource;
  /** Layers that must be applied and healthy first. */
  readonly dependsOn: readonly string[];
  /**
   * The Argo CD destination namespace. Objects carry their own namespaces; this one must be set
   * all the same, because an AppProject matches an Application's destination namespace against
   * its list, and an empty one matches nothing (argoproj/argo-cd#11510).
   */
  readonly namespace: string;
  /**
   * Its objects hold other layers' state (MetalLB's CRDs hold every address pool): the root
   * never prunes or deletes its Application by itself. @default false
   */
  readonly keep?: boolean;
  /**
   * For a layer that can stay unhealthy long after it is applied (a claim that binds only when a
   * CronJob first runs, a CRD installed outside this repository): Argo CD syncs it in the
   * last wave, after every other layer, and gitops-engine does not wait for the health of the
   * final wave, so nothing waits for it. Only allowed for layers nothing depends on.
   * @default false
   */
  readonly syncLast?: boolean;
  /**
   * What Flux checks instead of every applied object (then `wait: false`): only objects that are
   * healthy as soon as they are applied. @default - every applied object (Flux `wait: true`)
   */
  readonly healthChecks?: readonly LayerHealthCheck[];
  /**
   * Its manifests are SOPS-encrypted: Flux decrypts them with the age key in this Secret (in
   * flux-system). @default - not encrypted
   */
  readonly sopsKeySecret?: string;
  /** Argo CD does not deliver this layer (it cannot decrypt it without KSOPS). @default false */
  readonly fluxOnly?: boolean;
}

export function deliveryLayers(site: Site): DeliveryLayer[] {
  const encrypted = site.secrets.encryption === 'sops-age';
  const csi = usesProxmoxCsi(site);
  return [
    // Namespaces, storage and the CSR approver, in several namespaces: the stack's as destination.
    { name: 'platform-base', source: { kind: 'directory', directory: PLATFORM_BASE_DIR }, dependsOn: [], namespace: site.kubernetes.namespace },
    { name: 'metallb', source: { kind: 'helm', fluxDirectory: FLUX_METALLB_DIR, release: METALLB_RELEASE }, dependsOn: ['platform-base'], namespace: METALLB_NAMESPACE, keep: true },
    // The volume driver: its CSIDriver and node plugin serve every attached volume, so the root
    // never removes it by itself (keep), and what claims volumes waits for it.
    ...(csi ? [{
      name: 'proxmox-csi',
      source: { kind: 'helm', fluxDirectory: FLUX_PROXMOX_CSI_DIR, release: proxmoxCsiRelease(site) },
      // Its API token Secret comes with the encrypted secrets when they are in Git.
      dependsOn: ['platform-base', ...(encrypted ? ['secrets'] : [])],
      namespace: PROXMOX_CSI_NAMESPACE,
      keep: true,
    } satisfies DeliveryLayer] : []),
    { name: 'platform-custom-resources', source: { kind: 'directory', directory: PLATFORM_CUSTOM_RESOURCES_DIR }, dependsOn: ['metallb'], namespace: METALLB_NAMESPACE },
    // The stack's Secrets, SOPS-encrypted (secrets.encryption: sops-age): before the workloads that mount them.
    ...(encrypted ? [{
      name: 'secrets',
      source: { kind: 'directory', directory: SECRETS_DIR, ...(site.secrets.argocd === 'ksops' ? { argocdDirectory: KSOPS_DIR } : {}) },
      dependsOn: ['platform-base'],
      namespace: site.kubernetes.namespace,
      sopsKeySecret: site.secrets.fluxKeySecret,
      fluxOnly: site.secrets.argocd === 'none',
    } satisfies DeliveryLayer] : []),
    {
      name: 'monitoring',
      source: { kind: 'directory', directory: MONITORING_DIR },
      dependsOn: ['platform-custom-resources', ...(encrypted ? ['secrets'] : []), ...(csi ? ['proxmox-csi'] : [])],
      namespace: site.kubernetes.namespace,
    },
    {
      name: 'backups',
      source: { kind: 'directory', directory: PLATFORM_BACKUPS_DIR },
      namespace: ETCD_BACKUP_NAMESPACE,
      // Namespace and StorageClass only: Flux applies it beside the rest, Argo CD after it (syncLast).
      dependsOn: ['platform-base', ...(csi ? ['proxmox-csi'] : [])],
      syncLast: true,
      // Not the snapshot claim (Pending until 02:00) nor the Talos/Velero objects: a CronJob is
      // healthy once applied (kstatus), so this checks the schedule is in place, nothing more.
      healthChecks: [ETCD_BACKUP_CRONJOB],
    },
  ];
}

/** The layers Argo CD delivers: all but the Flux-only ones, and no dependency on those. */
export function argocdLayers(site: Site): DeliveryLayer[] {
  const layers = deliveryLayers(site);
  const skipped = new Set(layers.filter((l) => l.fluxOnly).map((l) => l.name));
  return layers.filter((l) => !skipped.has(l.name)).map((l) => ({ ...l, dependsOn: l.dependsOn.filter((d) => !skipped.has(d)) }));
}

/**
 * Argo CD sync wave of each layer: one more than its deepest dependency, so a layer's wave is
 * always later than every layer it depends on; `syncLast` layers share one wave after all others.
 * Throws on an unknown or cyclic dependency, or a `syncLast` layer that another layer depends on.
 */
export function syncWaves(layers: readonly Pick<DeliveryLayer, 'name' | 'dependsOn' | 'syncLast'>[]): Map<string, number> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const l of layers) {
    const last = l.dependsOn.map((d) => byName.get(d)).find((d) => d?.syncLast);
    if (last) {
      throw new Error(`layer "${l.name}" depends on "${last.name}", which is syncLast (may stay unhealthy for hours); depend on a layer before it or drop syncLast from "${last.name}"`);
    }
  }
  const waves = new Map<string, number>();
  const visiting = new Set<string>();
  const wave = (name: string): number => {
    const known = waves.get(name);
    if (known !== undefined) return known;
    const layer = byName.get(name);
    if (!layer) throw new Error(`layer dependency "${name}" is not a layer; use one of ${[...byName.keys()].join(', ')}`);
    if (visiting.has(name)) throw new Error(`layer "${name}" depends on itself through ${[...visiting].join(' -> ')}`);
    visiting.add(name);
    const w = layer.dependsOn.length === 0 ? 0 : Math.max(...layer.dependsOn.map(wave)) + 1;
    visiting.delete(name);
    waves.set(name, w);
    return w;
  };
  layers.forEach((l) => wave(l.name));
  const lastWave = Math.max(-1, ...layers.filter((l) => !l.syncLast).map((l) => waves.get(l.name)!)) + 1;
  for (const l of layers) if (l.syncLast) waves.set(l.name, lastWave);
  return waves;
}

/** `<site.name>-<layer>`: the name of a layer's Argo CD Application and Flux Kustomization. */
export function layerObjectName(site: Site, layer: string): string {
  return `${site.name}-${layer}`;
}

/** site.gitops.path without "./" or trailing "/", joined with a dist/ directory. */
export function repoPath(site: Site, distDirectory: string): string {
  const base = site.gitops.path.replace(/^\.\//, '').replace(/\/+$/, '');
  return base === '' || base === '.' ? distDirectory : `${base}/${distDirectory}`;
}

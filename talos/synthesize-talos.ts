/**
 * The Talos part of `npm run synth`: loads (or, on the first run, creates) the secrets bundle,
 * writes one machine config per node and the talosconfig into the git-ignored secrets directory
 * (0600, atomically). The Proxmox VM script holds no key material: it is rendered with dist/
 * (render/pipeline.ts calls renderProxmoxScript), not here.
 * Same bundle + same site => byte-identical files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlPlanes, usesProxmoxCsi, workers, type Site } from '../site';
import { checkTalosConfig, checkTalosconfigEndpoints, TalosConfigError } from './config-rules';
import { toGoYamlDocuments } from './go-yaml';
import { LOCAL_PATH_HOST_PATH, renderNodeMachineConfigs, talosContract } from './node-configs';
import { installerImage, schematicId } from './schematic';
import { applySecretChanges, type SecretChange } from '../render/secret-files';
import { prepareTalosSecrets, serializeAdmin, talosSecretsPaths, type RecoveredTalosSecrets } from './secrets-store';
import { serializeSecretsBundle } from './secrets-bundle';
import { renderTalosconfig } from './talosconfig';
import { talosVmSizing } from './vm-sizing';

export interface SynthesizeTalosOptions {
  /** Directory `site.talos.secretsDir` is relative to (the repository root). */
  readonly projectRoot: string;
  /** Where the key material goes, absolute or relative to projectRoot. @default site.talos.secretsDir */
  readonly secretsDir?: string;
  /** Clock for certificates minted on this run (first run only) and backup names. @default new Date() */
  readonly now?: Date;
  /** Bundle and admin certificate decrypted from dist/, for whichever file is missing. @default - none */
  readonly recovered?: RecoveredTalosSecrets;
}

export interface TalosSynthesis {
  /** Absolute paths of the secret files this run wrote or confirmed (all mode 0600). */
  readonly secretFiles: string[];
  /** One line each, for the synth log. */
  readonly messages: string[];
}

/** A Talos run rendered in memory: the changes to the secrets directory it would make. */
export interface TalosPlan extends TalosSynthesis {
  /** Bundle and admin certificate (first run only), machine configs, talosconfig, stale configs. */
  readonly changes: readonly SecretChange[];
  /** The key material's file contents, for the encrypted copies in dist/ (secrets.encryption: sops-age). */
  readonly plaintext: { readonly bundle: string; readonly admin: string; readonly talosconfig: string };
}

/** Render and check everything; nothing is written (apply `changes` with the rest of the run). */
export async function planTalos(site: Site, options: SynthesizeTalosOptions): Promise<TalosPlan> {
  const now = options.now ?? new Date();
  const paths = talosSecretsPaths(options.projectRoot, options.secretsDir ?? site.talos.secretsDir);
  const messages: string[] = [];
  const contract = talosContract(site);

  const secrets = await prepareTalosSecrets(paths, now, options.recovered);
  messages.push(...secrets.messages);
  const nodes = renderNodeMachineConfigs(site, secrets.bundle);
  for (const node of nodes) {
    const problems = checkTalosConfig(node.documents, contract);
    if (problems.length > 0) throw new TalosConfigError(`node ${node.hostname}`, problems);
  }
  // talosctl talks to control planes (the API servers and etcd); workers are reached with -n through them.
  const endpoints = controlPlanes(site).map((n) => n.address);
  const endpointProblems = checkTalosconfigEndpoints({ endpoints, vip: site.talos.vip });
  if (endpointProblems.length > 0) throw new TalosConfigError('talosconfig', endpointProblems);

  const changes: SecretChange[] = [...secrets.changes];
  const secretFiles = [paths.secretsFile, paths.adminFile];
  for (const node of nodes) {
    const file = path.join(paths.nodesDir, `${node.hostname}.yaml`);
    changes.push({ kind: 'write', path: file, content: toGoYamlDocuments(node.documents) });
    secretFiles.push(file);
  }
  const talosconfig = renderTalosconfig({ contextName: site.name, endpoints, caCrt: secrets.bundle.certs.os.crt, client: secrets.admin });
  changes.push({ kind: 'write', path: paths.talosconfigFile, content: talosconfig });
  secretFiles.push(paths.talosconfigFile);
  for (const stale of staleNodeConfigs(paths.nodesDir, nodes.map((n) => `${n.hostname}.yaml`))) {
    changes.push({ kind: 'remove', path: stale });
    messages.push(`removed ${stale} (node no longer in the site)`);
  }

  const sizing = talosVmSizing(site);
  messages.push(
    `Talos ${site.talos.version}: ${roleCounts(site)} in ${paths.nodesDir}, talosconfig ${paths.talosconfigFile}`,
    `installer ${installerImage(site.talos.extensions, site.talos.version)} (schematic ${schematicId(site.talos.extensions)} computed offline)`,
    `VMs: ${sizing.perNode.cores} cores / ${sizing.perNode.memoryGiB} GiB / ${sizing.perNode.osDiskGiB}+${sizing.perNode.dataDiskGiB} GiB disks each; one node down: ${sizing.fitsWithOneNodeDown ? 'fits' : 'does not fit'}`,
    usesProxmoxCsi(site)
      ? `volumes are Proxmox disks from ${site.kubernetes.proxmoxCsi!.storages.map((x) => x.id).join(', ')} (the Proxmox CSI plugin), attached to the VM of each pod`
      : `local-path storage lives at ${LOCAL_PATH_HOST_PATH} on every node`,
  );
  const plaintext = { bundle: serializeSecretsBundle(secrets.bundle), admin: serializeAdmin(secrets.admin), talosconfig };
  return { secretFiles, messages, changes, plaintext };
}

/** The Talos part alone (the `talos` CLI and tests): plan, then write. */
export async function synthesizeTalos(site: Site, options: SynthesizeTalosOptions): Promise<TalosSynthesis> {
  const plan = await planTalos(site, options);
  applySecretChanges(plan.changes);
  return { secretFiles: plan.secretFiles, messages: plan.messages };
}

/** "3 control-plane configs", or "3 control-plane and 2 worker configs". */
function roleCounts(site: Site): string {
  const w = workers(site).length;
  return `${controlPlanes(site).length} control-plane${w > 0 ? ` and ${w} worker` : ''} configs`;
}

/** Node configs are derived files: those of nodes that left the site (renamed hosts) go. */
function staleNodeConfigs(nodesDir: string, keep: readonly string[]): string[] {
  if (!fs.existsSync(nodesDir)) return [];
  return fs.readdirSync(nodesDir).filter((f) => f.endsWith('.yaml') && !keep.includes(f)).sort().map((f) => path.join(nodesDir, f));
}

/**
 * Everything `synth` writes into dist/, computed from the validated site alone: pure and
 * deterministic (no clock, no randomness, no I/O), so the same site gives byte-identical files.
 */
import { App } from 'cdk8s';
import type { Site } from '../site';
import { clusterCharts } from '../charts/cluster-charts';
import { addGitopsLayer, MONITORING_DIR } from '../gitops';
import { renderComparison, renderLxcPath } from '../lxc';
import { renderProxmoxScripts } from '../talos/proxmox-script';
import { renderRsyslogSnippet } from '../charts/syslog/rsyslog-snippet';
import { renderIntegrationFiles } from '../charts/integrations';
import { renderRunbooks } from './runbooks';
import { layerFiles } from './layer-files';
import { secretsLayerFiles } from './encrypted-layout';
import type { OutputFile } from './output-file';

export function renderDist(site: Site): OutputFile[] {
  const { monitoring, platform } = clusterCharts(site);
  // outdir is never used: files are serialized here, then written atomically by the caller.
  const gitopsApp = new App({ outdir: '/nonexistent-cdk8s-outdir' });
  return [
    ...layerFiles([
      { directory: MONITORING_DIR, charts: monitoring },
      ...platform,
      ...addGitopsLayer(gitopsApp, site),
    ]),
    // No key material in it: the machine configs it hands to the VMs stay in the secrets directory.
    ...renderProxmoxScripts(site),
    // What each log sender's rsyslog needs, matching the gateway's listeners (in no GitOps layer).
    renderRsyslogSnippet(site),
    // What the integrated systems (Wazuh, CheckMK) need installed (in no GitOps layer).
    ...renderIntegrationFiles(site),
    // What each alert means and how to fix it on this site: every runbook_url points here.
    renderRunbooks(site),
    // The kustomizations of the SOPS-encrypted Secrets (their files come from the encryption step).
    ...secretsLayerFiles(site),
    // The assessment's LXC path from the same model, and the comparison computed from both.
    ...renderLxcPath(site),
    ...renderComparison(site),
  ];
}

/**
 * Exporters Prometheus reaches the estate through (report "Required Exporters"): blackbox for
 * Uptime Kuma, Wazuh, CheckMK and the Proxmox API; pve_exporter for the Proxmox host and guests.
 * node_exporter runs on the guests and pve01 themselves (installed there, scraped by the `node` job).
 */
import type { Construct } from 'constructs';
import { ComponentChart, ComponentChartProps } from '../common/component-chart';
import { IMAGES, imageRef } from '../common/images';
import { PORTS } from '../topology';
import { blackboxConfigYaml } from './blackbox-config';
import { ExporterDeployment } from './exporter-deployment';
import { PVE_EXPORTER_SECRET } from '../../site/derived';

/** Secret with PVE_USER, PVE_TOKEN_NAME, PVE_TOKEN_VALUE and PVE_VERIFY_SSL (an API token with PVEAuditor on /). */
export { PVE_EXPORTER_SECRET };

export class EstateExporters extends ComponentChart {
  constructor(scope: Construct, id: string, props: ComponentChartProps) {
    super(scope, id, props);
    new ExporterDeployment(this, 'Blackbox', {
      component: 'blackbox-exporter',
      image: imageRef('blackboxExporter'),
      version: IMAGES.blackboxExporter.tag,
      port: PORTS.blackboxExporter,
      uid: 65534,
      args: ['--config.file=/etc/blackbox/blackbox.yml', `--web.listen-address=:${PORTS.blackboxExporter}`],
      config: { fileName: 'blackbox.yml', text: blackboxConfigYaml(), mountPath: '/etc/blackbox' },
      healthPath: '/-/healthy',
    });
    new ExporterDeployment(this, 'Pve', {
      component: 'pve-exporter',
      image: imageRef('pveExporter'),
      version: IMAGES.pveExporter.tag,
      port: PORTS.pveExporter,
      // The image's "prometheus" user.
      uid: 101,
      // The config collector makes one API call per guest; its data (onboot) is what ProxmoxGuestDown needs, so keep it.
      args: [`--web.listen-address=:${PORTS.pveExporter}`],
      envFromSecret: PVE_EXPORTER_SECRET,
      healthPath: '/metrics',
    });
  }
}

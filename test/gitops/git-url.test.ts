/**
 * Repository URLs as people copy them from their forge: the scp-like form works for both
 * controllers (Flux gets the ssh:// form its CRD requires), and SSH repositories name the
 * deploy-key Secret from the site.
 */
import { fluxRepoUrl, isSshRepoUrl } from '../../gitops/git-url';
import { crdValidator } from '../support/crd-schemas';
import { readObjects, type DistObject } from '../support/dist-tree';
import { describeWithShared } from '../support/shared-dir';
import { siteFrom, writeDeliveryTree } from './delivery-tree';

type Json = Record<string, any>;
const strip = ({ file: _file, ...o }: DistObject): Json => o;

describe('repository URLs', () => {
  test.each([
    ['git@git.example.com:homelab/monitoring.git', 'ssh://git@git.example.com/homelab/monitoring.git', true],
    ['gitea@forge.lan:/srv/git/stack.git', 'ssh://gitea@forge.lan/srv/git/stack.git', true],
    ['ssh://git@git.example.com:2222/homelab/monitoring.git', 'ssh://git@git.example.com:2222/homelab/monitoring.git', true],
    ['https://git.example.com/homelab/monitoring.git', 'https://git.example.com/homelab/monitoring.git', false],
  ])('%s is cloned by Flux as %s (SSH: %s)', (url, flux, ssh) => {
    expect(fluxRepoUrl(url)).toBe(flux);
    expect(isSshRepoUrl(url)).toBe(ssh);
  });

  const scp = siteFrom({ gitops: { repoUrl: 'git@git.example.com:homelab/monitoring.git', sshKeySecret: 'forge-deploy-key' } });
  const objects = readObjects(writeDeliveryTree(scp));
  const source = objects.find((o) => o.kind === 'GitRepository') as DistObject & Json;

  test('an scp-like URL gives Flux the ssh:// URL and the site\'s deploy-key Secret; Argo CD keeps the URL as written', () => {
    expect(source.spec.url).toBe('ssh://git@git.example.com/homelab/monitoring.git');
    expect(source.spec.secretRef).toEqual({ name: 'forge-deploy-key' });
    const apps = objects.filter((o) => o.kind === 'Application') as (DistObject & Json)[];
    expect(apps.filter((a) => a.spec.source.repoURL !== 'https://metallb.github.io/metallb').map((a) => a.spec.source.repoURL))
      .toEqual(apps.filter((a) => !a.spec.source.chart).map(() => 'git@git.example.com:homelab/monitoring.git'));
  });

  test('an HTTPS repository needs no deploy key', () => {
    const https = readObjects(writeDeliveryTree(siteFrom())).find((o) => o.kind === 'GitRepository') as DistObject & Json;
    expect(https.spec.secretRef).toBeUndefined();
  });

  describeWithShared('schemas/crds', 'against the Flux CRD', () => {
    test('the GitRepository made from an scp-like URL passes the CRD\'s URL pattern', () => {
      expect(crdValidator().validate(strip(source)).errors).toEqual([]);
    });

    test('the check bites: the scp-like URL itself fails the CRD\'s pattern', () => {
      const raw = { ...strip(source), spec: { ...source.spec, url: 'git@git.example.com:homelab/monitoring.git' } };
      expect(crdValidator().validate(raw).errors.join('\n')).toMatch(/url.*pattern/);
    });
  });
});

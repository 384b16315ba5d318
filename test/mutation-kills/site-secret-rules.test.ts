/**
 * Rules whose only failing cases were in the synth-heavy bad-input test: the UptimeKuma key
 * Secret among the one-name-one-Secret uses, the SOPS recipients, and a further host named like
 * proxmox.node. In-process, exact messages (Stryker's site target runs these, not bad-input).
 */
import { siteProblems } from './site-problems';

const AGE = `age1${'q'.repeat(58)}`;

test('an UptimeKuma API key Secret named like pve_exporter\'s is refused, naming both uses', () => {
  expect(siteProblems({ integrations: { uptimeKuma: { apiKeySecret: 'pve-exporter' } } })).toEqual([{
    path: 'integrations.uptimeKuma.apiKeySecret', value: 'pve-exporter',
    message: 'is already the Secret of (pve_exporter token) in namespace monitoring, which holds other keys; give each its own Secret name',
  }]);
  // Switched off, the integration uses no Secret.
  expect(siteProblems({ integrations: { uptimeKuma: { enabled: false, apiKeySecret: 'pve-exporter' } } })).toEqual([]);
});

test('SOPS encryption without a recipient, and a recipient listed twice', () => {
  expect(siteProblems({ secrets: { encryption: 'sops-age' } })).toEqual([{
    path: 'secrets.ageRecipients', value: [],
    message: 'is empty but secrets.encryption is sops-age: nobody could decrypt the files; set encryption: none, run `npm run secrets -- init`, then set sops-age with the age1… public key it prints',
  }]);
  expect(siteProblems({ secrets: { encryption: 'sops-age', ageRecipients: [AGE] } })).toEqual([]);
  expect(siteProblems({ secrets: { ageRecipients: [AGE, AGE] } })).toEqual([{
    path: 'secrets.ageRecipients.1', value: AGE, message: 'is listed twice (also secrets.ageRecipients.0); list each age public key once',
  }]);
});

test('a further host named like proxmox.node names proxmox.node as the first', () => {
  const problems = siteProblems({
    proxmox: { additionalHosts: [{ node: 'pve01', address: '10.88.140.152' }] },
    talos: { nodes: [1, 2, 3].map((i) => ({ hostname: `n${i}`, address: `10.70.0.${20 + i}`, vmid: 210 + i })) },
  });
  expect(problems).toContainEqual({ path: 'proxmox.additionalHosts.0.node', value: 'pve01', message: 'is already the Proxmox node of proxmox.node; list each host once (proxmox.node is the first)' });
});

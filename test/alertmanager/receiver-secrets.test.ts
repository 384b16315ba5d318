import { readObjects } from '../support/dist-tree';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';

describe('receiver credentials stay in Secrets', () => {
  const site = writeSiteFile(tempDir('receivers-'), [
    'alertmanager:',
    '  receivers:',
    '    webhooks: [{ name: chat, urlSecret: chat-webhook }]',
    '    emails: [{ name: ops-mail, to: ops@example.com, from: am@example.com, smarthost: "smtp.example.com:587", authUsername: am, authPasswordSecret: smtp-password }]',
  ].join('\n'));
  const sts = readObjects(synthToTemp(site).outDir).find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager') as unknown as { spec: any };
  const pod = sts.spec.template.spec;

  test.each([
    ['webhook-chat', 'chat-webhook', 'url', '/etc/alertmanager/webhooks/chat'],
    ['smtp-ops-mail', 'smtp-password', 'password', '/etc/alertmanager/smtp/ops-mail'],
  ])('%s: Secret %s key %s is mounted read-only at %s', (volume, secret, key, dir) => {
    expect(pod.volumes).toContainEqual({ name: volume, secret: { secretName: secret, items: [{ key, path: key }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: volume, mountPath: dir, readOnly: true });
  });
});

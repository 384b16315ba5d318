import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGES } from '../../charts/common/images';
import { describeWithBinary, run } from '../support/binaries';
import { pinnedModule } from '../upstream/pins';
import { readObjects } from '../support/dist-tree';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';

function alertmanagerYaml(outDir: string): string {
  const cm = readObjects(outDir).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'alertmanager-config') as unknown as { data: Record<string, string> };
  return cm.data['alertmanager.yml'];
}

/** amtool of the Alertmanager release the image pins (test/upstream/build.sh), on the real files (webhook url_file included). */
describeWithBinary('amtool', 'amtool accepts the synthesized Alertmanager config', () => {
  const dir = tempDir('amtool-');
  const check = (text: string) => {
    const file = path.join(dir, `am-${Math.abs(hash(text))}.yml`);
    fs.writeFileSync(file, text);
    return { file, result: run('amtool', ['check-config', file]) };
  };

  test('is the release the Alertmanager image pins (go.mod pin, and what the binary reports)', () => {
    expect(pinnedModule('alertmanager', 'github.com/prometheus/alertmanager')).toBe(IMAGES.alertmanager.tag);
    expect(run('amtool', ['--version']).output).toContain(`amtool, version ${IMAGES.alertmanager.tag.replace(/^v/, '')}`);
  });

  test('the LXC path\'s alertmanager.yml passes', () => {
    const { outDir } = synthToTemp();
    const result = run('amtool', ['check-config', path.join(outDir, 'lxc', 'alertmanager', 'etc', 'alertmanager', 'alertmanager.yml')]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a webhook url_file pointing nowhere valid is rejected (the check bites on the url_file field)', () => {
    const root = tempDir('amtool-urlfile-');
    const site = writeSiteFile(root, ['alertmanager:', '  receivers:', '    webhooks: [{ name: chat, urlSecret: chat-webhook }]'].join('\n'));
    const text = alertmanagerYaml(synthToTemp(site).outDir);
    const { result } = check(text.replace(/url_file: \S+/, 'url_file: ""\n        url: ""'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/one of url or url_file must be configured/);
  });

  test('the default site (no receivers configured) passes', () => {
    const { result } = check(alertmanagerYaml(synthToTemp().outDir));
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('a site with webhook (plain and secret URL) and email receivers passes and routes critical alerts to all', () => {
    const root = tempDir('amtool-site-');
    const site = writeSiteFile(root, [
      'alertmanager:',
      '  receivers:',
      '    webhooks: [{ name: ops-webhook, url: "https://hooks.example.com/alert" }, { name: chat, urlSecret: chat-webhook }]',
      '    emails: [{ name: ops-mail, to: ops@example.com, from: am@example.com, smarthost: "smtp.example.com:587", authUsername: am, authPasswordSecret: smtp-password }]',
    ].join('\n'));
    const text = alertmanagerYaml(synthToTemp(site).outDir);
    expect(text).toContain('url_file: /etc/alertmanager/webhooks/chat/url');
    const { file, result } = check(text);
    expect(result.status).toBe(0);
    const routed = run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=ops-webhook,chat,ops-mail', 'severity=critical', 'alertname=NodeDown']);
    expect(routed.output).toContain('ops-webhook,chat,ops-mail');
    expect(routed.status).toBe(0);
    const watchdog = run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=default', 'severity=info', 'alertname=Watchdog']);
    expect(watchdog.status).toBe(0);
  });

  test('each receiver gets the severities it asked for; info goes to the default receiver unless one asks; Watchdog never to them', () => {
    // GIVEN a pager for critical only, a ticket queue for warning, a mail for everything, and one on the defaults
    const root = tempDir('amtool-severities-');
    const site = writeSiteFile(root, [
      'alertmanager:',
      '  receivers:',
      '    webhooks: [{ name: pager, url: "https://pager.example.com/hook", severities: [critical] }, { name: tickets, url: "https://tickets.example.com/hook", severities: [warning] }, { name: chat, url: "https://chat.example.com/hook" }]',
      '    emails: [{ name: digest, to: ops@example.com, from: am@example.com, smarthost: "smtp.example.com:587", severities: [critical, warning, info] }]',
    ].join('\n'));
    const text = alertmanagerYaml(synthToTemp(site).outDir);
    const { file, result } = check(text);
    expect(result.status).toBe(0);
    // WHEN amtool resolves the route of an alert of each severity THEN
    const routes = (receivers: string, ...labels: string[]) => run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receivers}`, ...labels]);
    expect(routes('pager,chat,digest', 'severity=critical', 'alertname=EndpointDown', 'job=blackbox-http-2xx').status).toBe(0);
    expect(routes('tickets,chat,digest', 'severity=warning', 'alertname=HostMemoryPressure', 'job=node').status).toBe(0);
    expect(routes('digest', 'severity=info', 'alertname=HostRebooted', 'job=node').status).toBe(0);
    expect(routes('default', 'severity=info', 'alertname=Watchdog').status).toBe(0);
    // A receiver that did not ask for a severity does not get it (the check bites).
    expect(routes('pager,chat,digest', 'severity=warning', 'alertname=HostMemoryPressure').status).not.toBe(0);
  });

  test('without any receiver asking for info, info alerts stay with the default receiver (UI only)', () => {
    const root = tempDir('amtool-info-');
    const site = writeSiteFile(root, ['alertmanager:', '  receivers:', '    webhooks: [{ name: ops, url: "https://hooks.example.com/alert" }]'].join('\n'));
    const { file } = check(alertmanagerYaml(synthToTemp(site).outDir));
    expect(run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=default', 'severity=info', 'alertname=KubeNodeCordoned']).status).toBe(0);
    expect(run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=ops', 'severity=warning', 'alertname=KubeNodeCordoned']).status).toBe(0);
  });

  test('with a heartbeat, Watchdog goes to the dead man\'s switch alone, and every other alert never does', () => {
    const root = tempDir('amtool-heartbeat-');
    const site = writeSiteFile(root, [
      'alertmanager:',
      '  heartbeat: { urlSecret: deadman-url }',
      '  receivers:',
      '    webhooks: [{ name: ops-webhook, url: "https://hooks.example.com/alert" }]',
    ].join('\n'));
    const text = alertmanagerYaml(synthToTemp(site).outDir);
    expect(text).toContain('url_file: /etc/alertmanager/heartbeat/url');
    const { file, result } = check(text);
    expect(result.status).toBe(0);
    expect(run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=heartbeat', 'severity=info', 'alertname=Watchdog']).status).toBe(0);
    expect(run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=ops-webhook', 'severity=critical', 'alertname=NodeDown']).status).toBe(0);
  });

  test('a routing expectation that does not hold fails (config routes test bites)', () => {
    const { file } = check(alertmanagerYaml(synthToTemp().outDir));
    const wrong = run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, '--verify.receivers=nobody', 'severity=critical', 'alertname=NodeDown']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.output).toMatch(/WARNING: Expected receivers did not match resolved receivers/);
  });

  test('fails when a route names an undefined receiver (the check bites)', () => {
    const { result } = check(alertmanagerYaml(synthToTemp().outDir).replace('receiver: default', 'receiver: nobody'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/undefined receiver "nobody" used in route/);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

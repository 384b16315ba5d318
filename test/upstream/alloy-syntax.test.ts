/**
 * Alloy's own syntax module (github.com/grafana/alloy/syntax at the release the Alloy image ships,
 * built as alloy-fmt by test/upstream/build.sh) parses every generated Alloy config, and finds it
 * already in the canonical form `alloy fmt` prints (the log gateway on both paths, with its Talos
 * listener on Kubernetes, and the cluster log collector). Syntax only: component arguments are Alloy's
 * runtime's business (the live syslog tests in test/components cover those).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { type AlloyBlock, formatAlloy, ref } from '../../charts/syslog/alloy-syntax';
import { describeWithBinary, run } from '../support/binaries';
import { readObjects } from '../support/dist-tree';
import { SECOND_SITE } from '../support/second-site';
import { synthToTemp, tempDir, writeSiteFile } from '../support/synth-once';

describeWithBinary('alloy-fmt', 'Alloy\'s parser and formatter accept every generated Alloy config', () => {
  const dir = tempDir('alloy-');
  const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
  const fmtTest = (file: string) => run('alloy-fmt', ['-t', file]);

  const sites = [
    ['the default site', undefined],
    ['the second site', writeSiteFile(tempDir('alloy-site-'), YAML.stringify(SECOND_SITE))],
    ['a site without syslog over TCP', writeSiteFile(tempDir('alloy-site-'), 'syslog: { tcp: false }\n')],
  ] as const;

  describe.each(sites)('%s', (label, siteFile) => {
    const { outDir } = synthToTemp(siteFile);
    const configMap = (name: string) => readObjects(outDir).find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as unknown as { data: Record<string, string> };
    const files = {
      kubernetes: configMap('syslog-gateway-config').data['config.alloy'],
      'cluster log collector': configMap('cluster-logs-config').data['config.alloy'],
      lxc: fs.readFileSync(path.join(outDir, 'lxc', 'loki', 'etc', 'alloy', 'config.alloy'), 'utf8'),
    };

    test.each(Object.keys(files) as (keyof typeof files)[])('the %s config parses and is in canonical form', (where) => {
      const result = fmtTest(write(`${label.replace(/\W+/g, '-')}-${where}.alloy`, files[where]));
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    });
  });

  test('every shape the serializer writes is canonical: labels, references, lists, objects with quoted keys, nested and attribute-less blocks', () => {
    const blocks: AlloyBlock[] = [
      { name: 'logging', attributes: [['level', 'info'], ['format', 'logfmt']] },
      {
        name: 'loki.source.syslog',
        label: 'a',
        attributes: [['forward_to', [ref('loki.write.b.receiver'), ref('loki.write.c.receiver')]], ['labels', { job: 'x', 'not-an-ident': 'y', n: 3, on: true, nested: { a: 1, bb: [1.5, -2] }, true: 'kw', 'é😀': 'wide' }], ['empty', {}], ['list', []]],
        blocks: [{ name: 'listener', attributes: [['address', '0.0.0.0:1514']] }, { name: 'listener', blocks: [{ name: 'tls_config', attributes: [['insecure_skip_verify', false]] }] }, { name: 'empty_block' }],
      },
      { name: 'loki.write', label: 'b', blocks: [{ name: 'endpoint', attributes: [['url', 'http://127.0.0.1:3100/loki/api/v1/push\t"quoted"\\']] }] },
    ];
    const result = fmtTest(write('shapes.alloy', formatAlloy(blocks)));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  describe('the check bites', () => {
    const text = fs.readFileSync(path.join(synthToTemp().outDir, 'lxc', 'loki', 'etc', 'alloy', 'config.alloy'), 'utf8');

    test('an unbalanced brace is a parse error with Alloy\'s diagnostic', () => {
      const result = fmtTest(write('unbalanced.alloy', text.replace(/\n}\n/, '\n')));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/unbalanced\.alloy:\d+:\d+: expected }, got EOF/);
    });

    test('an attribute without its newline terminator is a parse error', () => {
      const broken = text.replace(/(protocol +?= "udp")\n/, '$1 ');
      expect(broken).not.toBe(text);
      const result = fmtTest(write('terminator.alloy', broken));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/terminator\.alloy:\d+:\d+: expected TERMINATOR, got IDENT/);
    });

    test('valid but non-canonical text (spaces for tabs) is reported as not formatted', () => {
      const result = fmtTest(write('spaces.alloy', text.replace(/\t/g, '  ')));
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/is not formatted correctly/);
    });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
});

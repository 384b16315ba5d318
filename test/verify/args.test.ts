import { UsageError } from '../../render/cli-args';
import { parseVerifyArgs } from '../../verify/args';

const parse = (...argv: string[]) => parseVerifyArgs(argv, {});

describe('verify arguments', () => {
  test('defaults: every check group, dist/, 5 minutes, tunnels through the API server', () => {
    expect(parse()).toEqual({
      kubeconfig: undefined, context: undefined, siteFile: undefined, distDir: 'dist', json: false,
      timeoutSeconds: 300, direct: false, endpoints: {}, fieldManager: undefined,
      only: ['drift', 'health', 'metrics', 'logs', 'alerts', 'grafana'],
    });
  });

  test('every option, as --flag value and --flag=value', () => {
    const args = parse('--kubeconfig', 'k.yaml', '--context=admin@lab', '--site', 's.yaml', '--dist', 'out', '--json', '--timeout', '90s', '--direct',
      '--endpoint', 'prometheus=http://127.0.0.1:19090', '--endpoint=syslog=127.0.0.1:1514', '--endpoint', 'grafana=https://grafana.lab.example', '--field-manager', 'kustomize-controller', '--only', 'health,drift');
    expect(args).toEqual({
      kubeconfig: 'k.yaml', context: 'admin@lab', siteFile: 's.yaml', distDir: 'out', json: true, timeoutSeconds: 90, direct: true,
      endpoints: { prometheus: 'http://127.0.0.1:19090', syslog: '127.0.0.1:1514', grafana: 'https://grafana.lab.example' }, fieldManager: 'kustomize-controller',
      only: ['drift', 'health'],
    });
  });

  test('the site comes from SITE when --site is not given', () => {
    expect(parseVerifyArgs([], { SITE: 'from-env.yaml' }).siteFile).toBe('from-env.yaml');
  });

  test.each([
    [['--bogus'], 'unknown argument "--bogus"'],
    [['--context'], '--context needs a value, e.g. --context admin@pve01-monitoring'],
    [['--timeout', 'soon'], '--timeout "soon" is not a duration between 1s and 1h; use e.g. --timeout 90s'],
    [['--timeout', '2h'], '--timeout "2h" is not a duration between 1s and 1h'],
    [['--only', 'drift,speed'], '--only "drift,speed": unknown group "speed"; choose from drift,health,metrics,logs,alerts,grafana'],
    [['--endpoint', 'pushgateway=http://x:1'], '--endpoint "pushgateway=http://x:1": expected NAME=URL with NAME one of prometheus, alertmanager, grafana, loki, syslog'],
    [['--endpoint', 'grafana=ftp://grafana.lab'], '--endpoint grafana=ftp://grafana.lab: expected an http:// or https:// URL'],
    [['--endpoint', 'syslog=udp://10.0.0.1'], '--endpoint syslog=udp://10.0.0.1: expected HOST:PORT (UDP and TCP)'],
  ])('%j is refused with the argument and what to use', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

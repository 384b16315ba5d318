import { parseSiteAndOutArgs, UsageError } from '../../render/cli-args';

describe('command-line arguments', () => {
  test('--site and --out are read, SITE is the fallback for the site file', () => {
    expect(parseSiteAndOutArgs(['--out', 'x', '--site', 's.yaml'], {})).toEqual({ siteFile: 's.yaml', outDir: 'x' });
    expect(parseSiteAndOutArgs([], { SITE: 'env.yaml' })).toEqual({ siteFile: 'env.yaml', outDir: undefined });
  });

  test('fails when an argument is unknown, naming the ones that exist', () => {
    expect(() => parseSiteAndOutArgs(['--sites', 'x'], {})).toThrow(UsageError);
    expect(() => parseSiteAndOutArgs(['--sites', 'x'], {})).toThrow(/unknown argument "--sites"; use --site FILE and --out DIR/);
  });

  test('fails when a flag has no value', () => {
    expect(() => parseSiteAndOutArgs(['--site'], {})).toThrow(/--site needs a value/);
    expect(() => parseSiteAndOutArgs(['--site', '--out', 'x'], {})).toThrow(/--site needs a value/);
  });
});

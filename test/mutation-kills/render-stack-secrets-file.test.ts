/**
 * render/stack-secrets-file.ts in-process (mutation testing, issue 18): the plan for the generated
 * Secrets file in each situation a run meets, with its exact change and messages. Passwords come
 * from a counter so values are predictable; every plan is made inside its test.
 * test/secrets/stack-secrets.test.ts checks the same through whole synth runs.
 */
import * as path from 'node:path';
import * as YAML from 'yaml';
import type { SecretManifest } from '../../charts/secrets/stack-secrets';
import {
  planStackSecretsFile, readExisting, stackSecretsFile, stackSecretsWithoutValues, StackSecretsFileError,
} from '../../render/stack-secrets-file';
import { parseSite, type Site, type SiteInput } from '../../site';
import { tempDir } from '../support/synth-once';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

// bcrypt at cost 12 takes ~250 ms a hash, over a second a plan: this file is about which values go
// where, so a stand-in hash that shows its input keeps it fast under mutation testing.
// test/secrets/stack-secrets.test.ts checks the real hashes against the passwords.
jest.mock('bcryptjs', () => ({ hashSync: (plain: string, cost: number) => `bcrypt(${cost}:${plain})` }));

const siteOf = (input: SiteInput = {}): Site => parseSite(input).site;
const counter = () => {
  let n = 0;
  return () => `pw${++n}`;
};
/** A secrets directory whose file holds what a first run for `site` writes. */
const written = (site: Site = siteOf()) => {
  const dir = tempDir('stack-secrets-');
  const plan = planStackSecretsFile(dir, site, counter());
  const file = stackSecretsFile(dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, (plan.changes[0] as { content: string }).content);
  return { dir, file, plan };
};
const docsOf = (text: string) => YAML.parseAllDocuments(text).map((d) => d.toJS());
const contentOf = (plan: ReturnType<typeof planStackSecretsFile>) => (plan.changes[0] as { content: string }).content;
const NAMES = ['grafana-admin', 'alertmanager-web-auth', 'prometheus-web-auth'];
/** Writes `docs` as the file's documents, each after a `---`. */
const writeDocs = (file: string, docs: readonly object[]) => {
  const text = docs.map((d) => `---\n${YAML.stringify(d)}`).join('');
  fs.writeFileSync(file, text);
  return text;
};
/** What a first run writes for `site`, read back with the role labels removed (a file from before them). */
const withoutLabels = (site: Site) => {
  const { dir, file, plan } = written(site);
  const docs = docsOf(fs.readFileSync(file, 'utf8')) as SecretManifest[];
  for (const d of docs) delete (d.metadata.labels as Record<string, string>)['monitoring-stack/generated-secret'];
  return { dir, file, plan, docs };
};

test('the file lives under kubernetes/ in the secrets directory', () => {
  expect(stackSecretsFile('/p/.secrets')).toBe('/p/.secrets/kubernetes/monitoring-secrets.yaml');
});

describe('a first run', () => {
  test('creates the file with every generated Secret, in order, each its own document, and says nothing itself', () => {
    const dir = tempDir('stack-secrets-');
    const plan = planStackSecretsFile(dir, siteOf(), counter());
    const file = stackSecretsFile(dir);
    expect(plan.results).toEqual([{ path: file, created: true }]);
    expect(plan.messages).toEqual([]);
    expect(plan.changes.map((c) => [c.kind, c.path])).toEqual([['create', file]]);
    const content = contentOf(plan);
    expect(content.startsWith('---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: grafana-admin\n  namespace: monitoring\n')).toBe(true);
    expect(content.split('---\n')).toHaveLength(4);
    expect(docsOf(content)).toEqual(plan.manifests);
    expect(plan.manifests.map((m) => m.metadata.name)).toEqual(NAMES);
    expect(plan.manifests[0].stringData).toEqual({ 'admin-user': 'admin', 'admin-password': 'pw1' });
    expect(fs.existsSync(file)).toBe(false); // a plan writes nothing
  });
});

describe('a later run', () => {
  test('with the same site changes nothing, and tightens a loose file mode', () => {
    const { dir, file, plan } = written();
    fs.chmodSync(file, 0o644);
    const again = planStackSecretsFile(dir, siteOf(), () => { throw new Error('no new password may be made'); });
    expect(again.changes).toEqual([]);
    expect(again.results).toEqual([{ path: file, created: false }]);
    expect(again.messages).toEqual([]);
    expect(again.manifests).toEqual(plan.manifests);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a new namespace keeps the values under the new name, and says so per Secret', () => {
    const { dir, file, plan } = written();
    const moved = planStackSecretsFile(dir, siteOf({ kubernetes: { namespace: 'obs' } }), counter());
    expect(moved.messages).toEqual(NAMES.map((n) => `Secret monitoring/${n} is now obs/${n} in ${file}, values kept: apply it, then delete the old one`));
    expect(moved.changes.map((c) => [c.kind, c.path])).toEqual([['write', file]]);
    expect(moved.manifests.map((m) => m.stringData)).toEqual(plan.manifests.map((m) => m.stringData));
    expect(moved.manifests.map((m) => m.metadata.namespace)).toEqual(['obs', 'obs', 'obs']);
  });

  test('with encrypted secrets the messages point at dist/secrets/ and the GitOps controller', () => {
    const { dir, file } = written();
    const base = siteOf({ kubernetes: { namespace: 'obs' } });
    const encrypted = { ...base, secrets: { ...base.secrets, encryption: 'sops-age' } } as Site;
    expect(planStackSecretsFile(dir, encrypted, counter()).messages).toEqual(
      NAMES.map((n) => `Secret monitoring/${n} is now obs/${n} in ${file}, values kept; the GitOps controller applies it and prunes the old one`),
    );
  });

  test('a Secret lost from the file is added with new values; the others keep theirs', () => {
    const { dir, file, plan } = written();
    const docs = docsOf(fs.readFileSync(file, 'utf8'));
    writeDocs(file, docs.slice(0, 2));
    expect(stackSecretsWithoutValues(dir, siteOf()).map((s) => s.name)).toEqual(['prometheus-web-auth']);
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.messages).toEqual([`added Secret monitoring/prometheus-web-auth to ${file} with new values: apply it (kubectl apply -f ${file})`]);
    expect(again.manifests.slice(0, 2)).toEqual(plan.manifests.slice(0, 2));
    expect(again.manifests[2].stringData.password).toBe('pw1');

    const encrypted = { ...siteOf(), secrets: { ...siteOf().secrets, encryption: 'sops-age' } } as Site;
    expect(planStackSecretsFile(dir, encrypted, counter()).messages).toEqual([
      `added Secret monitoring/prometheus-web-auth to ${file} with new values; its encrypted copy in dist/secrets/ reaches the cluster with the next sync`,
    ]);
  });

  test('a user the site no longer needs is removed, and the change is named key by key', () => {
    const { dir, file } = written();
    const site = siteOf({ integrations: { checkmk: { enabled: false } } });
    const again = planStackSecretsFile(dir, site, counter());
    expect(again.messages).toEqual([
      `Secret monitoring/prometheus-web-auth in ${file}: removed checkmk-username, checkmk-password; changed web.yml for this site, the other values kept: apply it (kubectl apply -f ${file})`,
    ]);
    const encrypted = { ...site, secrets: { ...site.secrets, encryption: 'sops-age' } } as Site;
    expect(planStackSecretsFile(dir, encrypted, counter()).messages).toEqual([
      `Secret monitoring/prometheus-web-auth in ${file}: removed checkmk-username, checkmk-password; changed web.yml for this site, the other values kept; its encrypted copy in dist/secrets/ reaches the cluster with the next sync`,
    ]);
  });

  test('a user the site now needs is added beside the others', () => {
    const { dir, file } = written(siteOf({ integrations: { checkmk: { enabled: false } } }));
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.messages).toEqual([
      `Secret monitoring/prometheus-web-auth in ${file}: added checkmk-username, checkmk-password; changed web.yml for this site, the other values kept: apply it (kubectl apply -f ${file})`,
    ]);
    expect(again.manifests[2].stringData['checkmk-password']).toBe('pw1');
  });

  test('documents that are not ours stay, verbatim, after the generated ones', () => {
    const { dir, file, plan } = written();
    const foreign = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine # keep this comment\ndata:\n  a: "1"\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: operator\ndata:\n  k: dg==\n',
    ];
    fs.appendFileSync(file, `---\n${foreign[0]}---\n${foreign[1]}`);
    expect(planStackSecretsFile(dir, siteOf(), counter()).changes).toEqual([]);
    // Written before the generated ones, they move after them; the first gets its document marker.
    fs.writeFileSync(file, `${foreign[0]}${contentOf(plan)}`);
    const reordered = planStackSecretsFile(dir, siteOf(), counter());
    expect(reordered.changes).toEqual([{ kind: 'write', path: file, content: `${contentOf(plan)}---\n${foreign[0]}` }]);
    expect(reordered.messages).toEqual([]);
  });

  test('Secrets from before the role label are found by name and keys, else by keys alone', () => {
    const { dir, file, plan, docs } = withoutLabels(siteOf());
    (docs[0].metadata as { name: string }).name = 'old-grafana';
    writeDocs(file, docs);
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.manifests.map((m) => m.stringData)).toEqual(plan.manifests.map((m) => m.stringData));
    expect(again.messages).toEqual([`Secret monitoring/old-grafana is now monitoring/grafana-admin in ${file}, values kept: apply it, then delete the old one`]);
  });

  test('from before the label, with CheckMK off: a renamed web-auth Secret never takes the other one by keys', () => {
    // Alertmanager's and Prometheus' web-auth Secrets then have the same keys; the name decides.
    const site = siteOf({ integrations: { checkmk: { enabled: false } } });
    const { dir, file, plan, docs } = withoutLabels(site);
    const [grafana, alertmanager, prometheus, ...rest] = docs;
    expect([alertmanager.metadata.name, prometheus.metadata.name]).toEqual(['alertmanager-web-auth', 'prometheus-web-auth']);
    const values = (p: { manifests: SecretManifest[] }) => p.manifests.map((m) => `${m.metadata.name}=${m.stringData.password}`);
    // Prometheus' Secret first in the file: each is still found by its own name.
    writeDocs(file, [grafana, prometheus, alertmanager, ...rest]);
    expect(values(planStackSecretsFile(dir, site, counter()))).toEqual(values(plan));
    // Alertmanager's renamed and after Prometheus': found by keys only once Prometheus' is taken by name.
    const renamed = { ...alertmanager, metadata: { ...alertmanager.metadata, name: 'old-am' } };
    writeDocs(file, [grafana, prometheus, renamed, ...rest]);
    const again = planStackSecretsFile(dir, site, counter());
    expect(values(again)).toEqual(values(plan));
    expect(again.messages).toEqual([`Secret monitoring/old-am is now monitoring/alertmanager-web-auth in ${file}, values kept: apply it, then delete the old one`]);
    expect(stackSecretsWithoutValues(dir, site)).toEqual([]);
  });

  test('the role label wins over the name; a Secret with other keys is not taken by keys', () => {
    const { dir, file } = written();
    const docs = docsOf(fs.readFileSync(file, 'utf8')) as SecretManifest[];
    const labelled = { ...docs[0], metadata: { ...docs[0].metadata, name: 'renamed' }, stringData: { ...docs[0].stringData, 'admin-password': 'from-label' } };
    const unlabelled = { ...docs[0], metadata: { name: 'grafana-admin', namespace: 'elsewhere' }, stringData: { ...docs[0].stringData, 'admin-password': 'from-name' } };
    const otherKeys = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'monitoring' }, stringData: { 'admin-user': 'a' } };
    writeDocs(file, [unlabelled, labelled, otherKeys, ...docs.slice(1)]);
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.manifests[0].stringData['admin-password']).toBe('from-label');
    expect(again.messages).toEqual([`Secret monitoring/renamed is now monitoring/grafana-admin in ${file}, values kept: apply it, then delete the old one`]);
    // The one in another namespace and the one with other keys stay as they were, after the generated ones.
    expect(docsOf(contentOf(again)).slice(3)).toEqual([unlabelled, otherKeys]);
  });

  test('a second Secret under a generated name is refused, naming it and the fix, and nothing is planned', () => {
    const { dir, file } = written();
    const docs = docsOf(fs.readFileSync(file, 'utf8')) as SecretManifest[];
    // The labelled Secret was renamed by hand; an unlabelled copy under the generated name sits beside it.
    const labelled = { ...docs[0], metadata: { ...docs[0].metadata, name: 'renamed' } };
    const twin = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'grafana-admin', namespace: 'monitoring' }, data: { 'admin-password': 'eA==' } };
    const text = writeDocs(file, [twin, labelled, ...docs.slice(1)]);
    const refusal = (id: string) => new StackSecretsFileError(
      `${file} holds a Secret ${id} that the stack does not take as its own monitoring/grafana-admin (a cluster would get whichever is applied last); `
      + 'if its values are the live ones, give it the label monitoring-stack/generated-secret: grafana-admin and the keys admin-user, admin-password, else rename or delete it; then run again',
    );
    expect(() => planStackSecretsFile(dir, siteOf(), counter())).toThrow(refusal('monitoring/grafana-admin'));
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    // Without a namespace it lands in kubectl's current one: a clash too.
    const { metadata: { namespace: _ns, ...bare } } = twin;
    writeDocs(file, [{ ...twin, metadata: bare }, labelled, ...docs.slice(1)]);
    expect(() => planStackSecretsFile(dir, siteOf(), counter())).toThrow(refusal('/grafana-admin'));
    // The same twin in another namespace, or another kind under the name, is no clash.
    writeDocs(file, [{ ...twin, metadata: { ...twin.metadata, namespace: 'other' } }, { ...twin, kind: 'ConfigMap' }, labelled, ...docs.slice(1)]);
    expect(planStackSecretsFile(dir, siteOf(), counter()).manifests.map((m) => m.metadata.name)).toEqual(docs.map((d) => d.metadata.name));
  });

  test('from before the label, with CheckMK off and another namespace: names decide; keys alone that fit two are refused', () => {
    const site = siteOf({ integrations: { checkmk: { enabled: false } } });
    const { dir, file, plan, docs } = withoutLabels(site);
    const [grafana, alertmanager, prometheus, ...rest] = docs;
    const values = (p: { manifests: SecretManifest[] }) => p.manifests.map((m) => `${m.metadata.namespace}/${m.metadata.name}=${m.stringData.password}`);
    // The site moved to namespace obs: each Secret is found by its name, Prometheus' first in the file or not.
    writeDocs(file, [grafana, prometheus, alertmanager, ...rest]);
    const moved = siteOf({ integrations: { checkmk: { enabled: false } }, kubernetes: { namespace: 'obs' } });
    expect(values(planStackSecretsFile(dir, moved, counter()))).toEqual(values(plan).map((v) => v.replace('monitoring/', 'obs/')));
    // Both renamed: two Secrets with the same keys and no names to go by.
    const renamed = [alertmanager, prometheus].map((d, i) => ({ ...d, metadata: { ...d.metadata, name: `old-${i}` } }));
    const text = writeDocs(file, [grafana, ...renamed, ...rest]);
    const ambiguous = new StackSecretsFileError(`${file}: cannot tell by their keys which of monitoring/old-0, monitoring/old-1 is alertmanager-web-auth or prometheus-web-auth (no label, no matching name); `
      + 'add the label monitoring-stack/generated-secret: <alertmanager-web-auth or prometheus-web-auth> to the right one, then run again');
    expect(() => planStackSecretsFile(dir, site, counter())).toThrow(ambiguous);
    expect(() => stackSecretsWithoutValues(dir, site)).toThrow(ambiguous);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  test('a Secret lost from the file is restored from its own encrypted copy, never from another Secret\'s', () => {
    const site = siteOf({ integrations: { checkmk: { enabled: false } } });
    const { dir, file, plan } = written(site);
    const docs = docsOf(fs.readFileSync(file, 'utf8')) as SecretManifest[];
    // A file from before the label, Alertmanager's Secret lost from it, and the site since moved to namespace obs.
    for (const d of docs) delete (d.metadata.labels as Record<string, string>)['monitoring-stack/generated-secret'];
    writeDocs(file, docs.filter((d) => d.metadata.name !== 'alertmanager-web-auth'));
    const moved = siteOf({ integrations: { checkmk: { enabled: false } }, kubernetes: { namespace: 'obs' } });
    const again = planStackSecretsFile(dir, moved, () => { throw new Error('no new password may be made'); }, plan.manifests);
    const passwords = (ms: SecretManifest[]) => ms.map((m) => `${m.metadata.name}=${m.stringData.password}`);
    expect(passwords(again.manifests)).toEqual(passwords(plan.manifests));
    expect(again.messages).toContain(`restored Secret obs/alertmanager-web-auth into ${file} from its encrypted copy in dist/`);
  });

  test('a YAML directive is refused before anything is planned', () => {
    const { dir, file, plan } = written();
    for (const directive of ['%YAML 1.2\n', '%TAG !e! tag:example.com,2000:\n']) {
      fs.writeFileSync(file, `${directive}${contentOf(plan)}`);
      expect(() => planStackSecretsFile(dir, siteOf(), counter())).toThrow(new StackSecretsFileError(
        `${file} has a YAML directive (a %YAML or %TAG line), which this file cannot keep when it is rewritten; remove it (and use full tags), then run again`,
      ));
    }
  });

  test('a Secret with a role label is never taken by its keys for another role', () => {
    const { dir, file } = written();
    const docs = docsOf(fs.readFileSync(file, 'utf8')) as SecretManifest[];
    (docs[0].metadata as { name: string }).name = 'elsewhere';
    (docs[0].metadata.labels as Record<string, string>)['monitoring-stack/generated-secret'] = 'something-else';
    writeDocs(file, docs);
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.messages).toEqual([`added Secret monitoring/grafana-admin to ${file} with new values: apply it (kubectl apply -f ${file})`]);
    expect(again.manifests[0].stringData['admin-password']).toBe('pw1');
    expect(contentOf(again).split('---\n')).toHaveLength(5); // the other-labelled one is kept
  });

  test('a free Secret with other keys is never taken: the Secret with no match gets new values, and that one stays', () => {
    const { dir, file, docs } = withoutLabels(siteOf());
    const [grafana, ...rest] = docs;
    const labelled = rest.map((d, i) => ({ ...d, metadata: { ...d.metadata, labels: { 'monitoring-stack/generated-secret': NAMES[i + 1] } } }));
    const other = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'monitoring' }, stringData: { 'admin-user': 'a' } };
    writeDocs(file, [other, ...labelled]);
    const plan = planStackSecretsFile(dir, siteOf(), () => 'new');
    expect(plan.manifests[0].stringData).toEqual({ ...grafana.stringData, 'admin-password': 'new' });
    expect(plan.messages).toEqual([`added Secret monitoring/grafana-admin to ${file} with new values: apply it (kubectl apply -f ${file})`]);
    expect(docsOf(contentOf(plan)).slice(3)).toEqual([other]);
  });

  test('a Secret labelled with a role this version does not know is still taken by its name in the namespace, not in another', () => {
    const { dir, file, plan, docs } = withoutLabels(siteOf());
    const stale = (d: SecretManifest, namespace = 'monitoring') => ({ ...d, metadata: { ...d.metadata, namespace, labels: { 'monitoring-stack/generated-secret': 'retired-role' } } });
    writeDocs(file, [stale(docs[0]), ...docs.slice(1)]);
    const again = planStackSecretsFile(dir, siteOf(), counter());
    expect(again.manifests.map((m) => m.stringData)).toEqual(plan.manifests.map((m) => m.stringData));
    expect(again.messages).toEqual([]);
    // In another namespace a labelled Secret is another Secret: kept as it is, new values for the spec.
    writeDocs(file, [stale(docs[0], 'elsewhere'), ...docs.slice(1)]);
    const moved = planStackSecretsFile(dir, siteOf(), () => 'new');
    expect(moved.manifests[0].stringData).toEqual({ ...plan.manifests[0].stringData, 'admin-password': 'new' });
    expect(docsOf(contentOf(moved)).slice(3)).toEqual([stale(docs[0], 'elsewhere')]);
  });

  test('legacy Secrets with no labels at all are found by name in another namespace and by keys alone', () => {
    const { dir, file, plan, docs } = withoutLabels(siteOf());
    const bare = docs.map((d) => ({ ...d, metadata: { name: d.metadata.name, namespace: d.metadata.namespace } }));
    writeDocs(file, [{ ...bare[0], metadata: { name: 'old-grafana', namespace: 'monitoring' } }, ...bare.slice(1)]);
    const moved = planStackSecretsFile(dir, siteOf({ kubernetes: { namespace: 'obs' } }), counter());
    expect(moved.manifests.map((m) => m.stringData)).toEqual(plan.manifests.map((m) => m.stringData));
    expect(moved.messages).toContain(`Secret monitoring/old-grafana is now obs/grafana-admin in ${file}, values kept: apply it, then delete the old one`);
  });

  test('keys that fit one Secret but two roles, or two Secrets but one role, are refused, naming them all', () => {
    const site = siteOf({ integrations: { checkmk: { enabled: false } } });
    const { dir, file, docs } = withoutLabels(site);
    const [grafana, alertmanager, , ...rest] = docs;
    // Prometheus' Secret is gone and Alertmanager's renamed: its keys fit both web-auth roles.
    const text = writeDocs(file, [grafana, { ...alertmanager, metadata: { ...alertmanager.metadata, name: 'old-am' } }, ...rest]);
    expect(() => planStackSecretsFile(dir, site, counter())).toThrow(new StackSecretsFileError(
      `${file}: cannot tell by their keys which of monitoring/old-am is alertmanager-web-auth or prometheus-web-auth (no label, no matching name); `
      + 'add the label monitoring-stack/generated-secret: <alertmanager-web-auth or prometheus-web-auth> to the right one, then run again',
    ));
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    // Grafana's Secret twice under old names (one without a namespace): which one holds the live password?
    const copies = [{ ...grafana, metadata: { name: 'old-g1', namespace: 'monitoring' } }, { ...grafana, metadata: { name: 'old-g2' } }];
    writeDocs(file, [...copies, ...docs.slice(1)]);
    expect(() => planStackSecretsFile(dir, site, counter())).toThrow(new StackSecretsFileError(
      `${file}: cannot tell by their keys which of monitoring/old-g1, /old-g2 is grafana-admin (no label, no matching name); `
      + 'add the label monitoring-stack/generated-secret: <grafana-admin> to the right one, then run again',
    ));
  });

  test('a kept document that starts with blank or comment lines and its own "---" is kept as it is; one without gets a "---"', () => {
    const { dir, file, plan } = written();
    const marked = '\n  # indented note\n# note on top\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  a: x---y\n';
    fs.writeFileSync(file, `${marked}${contentOf(plan)}`);
    expect(contentOf(planStackSecretsFile(dir, siteOf(), counter()))).toBe(`${contentOf(plan)}${marked}`);
    const unmarked = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: top\ndata:\n  a: x---y\n';
    fs.writeFileSync(file, `${unmarked}${contentOf(plan)}`);
    expect(contentOf(planStackSecretsFile(dir, siteOf(), counter()))).toBe(`${contentOf(plan)}---\n${unmarked}`);
  });
});

describe('recovery and bad files', () => {
  test('a missing file is restored from the encrypted copies, never regenerated', () => {
    const { dir, file, plan } = written();
    fs.rmSync(file);
    const restored = planStackSecretsFile(dir, siteOf(), () => { throw new Error('no new password may be made'); }, plan.manifests);
    expect(restored.messages).toEqual(NAMES.map((n) => `restored Secret monitoring/${n} into ${file} from its encrypted copy in dist/`));
    expect(restored.manifests).toEqual(plan.manifests);
    expect(restored.changes).toEqual([{ kind: 'create', path: file, content: contentOf(plan) }]);
    expect(stackSecretsWithoutValues(dir, siteOf()).map((s) => s.name)).toEqual(NAMES);
  });

  test('a file that is not YAML is named with the parser\'s first line and never replaced', () => {
    const dir = tempDir('stack-secrets-');
    const file = stackSecretsFile(dir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'a: [1\n');
    let error: unknown;
    try {
      planStackSecretsFile(dir, siteOf(), counter());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StackSecretsFileError);
    expect((error as Error).name).toBe('StackSecretsFileError');
    // The yaml library's own message, its first line only.
    const parserLine = YAML.parseAllDocuments('a: [1\n')[0].errors[0].message.split('\n')[0];
    expect(parserLine.length).toBeGreaterThan(10);
    expect((error as Error).message).toBe(`${file} is not valid YAML (${parserLine}); fix it or move it away (a new one is then generated, with new passwords)`);
    expect(fs.readFileSync(file, 'utf8')).toBe('a: [1\n');
  });

  test('readExisting: only Secrets with a name and stringData are ours; empty documents are dropped; texts are kept as written', () => {
    const dir = tempDir('stack-secrets-');
    const file = path.join(dir, 'x.yaml');
    const parts = [
      '# head comment\n---\n',
      '---\nkind: Secret\nmetadata:\n  name: a\n  namespace: n\nstringData:\n  k: v\n',
      '---\nkind:   Secret   # by hand\nmetadata:\n    name: b\ndata:\n  k: dg==\n',
      '---\n\n',
      '---\nkind: Secret\nmetadata: {}\nstringData:\n  k: v\n',
      '---\nkind: Secret\nmetadata:\n  name: c\nstringData: text\n',
      '---\nkind: ConfigMap\nmetadata:\n  name: d\nstringData:\n  k: v\n',
      '---\njust a string\n',
      '---\n# only a note\n',
      '---\nlast: without newline',
    ];
    fs.writeFileSync(file, parts.join(''));
    const docs = readExisting(file);
    expect(docs.map((d) => d.manifest?.metadata.name ?? null)).toEqual([null, 'a', null, null, null, null, null, null, null]);
    expect(docs.map((d) => d.secretId ?? null)).toEqual([null, 'n/a', '/b', null, '/c', null, null, null, null]);
    // The head comment with its own "---" is a document of its own and stays, as does a document of only a comment;
    // the empty ones ("---" alone) are gone.
    expect(docs.map((d) => d.text)).toEqual([parts[0], parts[1], parts[2], parts[4], parts[5], parts[6], parts[7], parts[8], `${parts[9]}\n`]);
  });

  test('readExisting: a Secret without metadata, a list or a number is no Secret and no crash', () => {
    const dir = tempDir('stack-secrets-');
    const file = path.join(dir, 'x.yaml');
    fs.writeFileSync(file, 'kind: Secret\nstringData:\n  k: v\n---\n- a list\n---\n42\n');
    expect(readExisting(file).map((d) => [d.manifest, d.secretId])).toEqual([[undefined, undefined], [undefined, undefined], [undefined, undefined]]);
  });

  test('readExisting: comment lines right above a "---" start the next document; a blank line, indentation or the previous value keep them', () => {
    const dir = tempDir('stack-secrets-');
    const file = path.join(dir, 'x.yaml');
    const texts = (source: string) => {
      fs.writeFileSync(file, source);
      return readExisting(file).map((d) => d.text);
    };
    expect(texts('a: 1\n# about b\n# more\n---\nb: 2\n')).toEqual(['a: 1\n', '# about b\n# more\n---\nb: 2\n']);
    expect(texts('a: 1\n# a\n\n# about b\n---\nb: 2\n')).toEqual(['a: 1\n# a\n\n', '# about b\n---\nb: 2\n']);
    expect(texts('a: |\n  # text\n---\nb: 2\n')).toEqual(['a: |\n  # text\n', '---\nb: 2\n']);
    expect(texts('--- |\nfoo\n# text\n---\nb: 2\n')).toEqual(['--- |\nfoo\n# text\n', '---\nb: 2\n']);
    // Not into a Secret that may be one of ours (its text may be rewritten): they stay above.
    const secret = '---\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v\n';
    expect(texts(`kind: ConfigMap\n# note\n${secret}`)).toEqual(['kind: ConfigMap\n# note\n', secret]);
  });

  test('a comment right above an operator document stays with it when the generated Secrets before it are rewritten', () => {
    const { dir, file, plan } = written();
    const mine = '# the operator\'s notes on mine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n';
    fs.writeFileSync(file, `${contentOf(plan)}${mine}`);
    // A site change rewrites the generated Secrets before it.
    const moved = planStackSecretsFile(dir, siteOf({ kubernetes: { namespace: 'obs' } }), counter());
    expect(contentOf(moved).endsWith(`\n${mine}`)).toBe(true);
  });

  test('an operator document keeps its comments and layout, and a stray "---" is dropped in one run', () => {
    const { dir, file, plan } = written();
    const mine = '---\n# my notes\napiVersion: v1\nkind: ConfigMap\nmetadata:\n    name:   mine   # aligned\n';
    fs.writeFileSync(file, `---\n${contentOf(plan)}${mine}---\n`);
    const once = planStackSecretsFile(dir, siteOf(), counter());
    expect(once.changes).toEqual([{ kind: 'write', path: file, content: `${contentOf(plan)}${mine}` }]);
    fs.writeFileSync(file, contentOf(once));
    expect(planStackSecretsFile(dir, siteOf(), counter()).changes).toEqual([]);
  });
});

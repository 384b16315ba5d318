/**
 * render/encrypted-files.ts in-process (mutation testing, issue 18): which files of dist/ are
 * encrypted, kept byte for byte or re-encrypted, with their exact messages and refusals, and what
 * recoverFromDist brings back. Real age keys and real SOPS files (encryption/); no synth run.
 * test/encryption/synth-encrypted.test.ts checks the same through whole synth runs.
 */
import * as path from 'node:path';
import * as YAML from 'yaml';
import { PLACEHOLDER_VALUE } from '../../charts/secrets/operator-secrets';
import type { SecretManifest } from '../../charts/secrets/stack-secrets';
import { KUBERNETES_SECRET_REGEX, decryptSopsYaml, encryptSopsYaml, generateAgeKeyPair, treeToObject, type AgeKeyPair } from '../../encryption';
import { EncryptionKeyError, recoverFromDist, renderEncryptedFiles, type EncryptedFilesInput, type TalosPlaintext } from '../../render/encrypted-files';
import type { OutputFile } from '../../render/output-file';
import { planStackSecretsFile } from '../../render/stack-secrets-file';
import { parseSite, type Site, type SiteInput } from '../../site';
import { withReaddirReversed } from '../support/readdir-order';
import { tempDir } from '../support/synth-once';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

// The generated web-auth Secrets hash their passwords; which values go where is what matters here.
jest.mock('bcryptjs', () => ({ hashSync: (plain: string, cost: number) => `bcrypt(${cost}:${plain})` }));

const NOW = new Date('2026-12-04T10:00:00Z');
const PVE = 'secrets/pve-exporter.sops.yaml';
const GENERATED = ['secrets/grafana-admin.sops.yaml', 'secrets/alertmanager-web-auth.sops.yaml', 'secrets/prometheus-web-auth.sops.yaml'];
const TALOS = ['talos/secrets.sops.yaml', 'talos/admin-client.sops.yaml', 'talos/talosconfig.sops.yaml'];
const PVE_USED_BY = 'pve_exporter (a read-only PVEAuditor API token, README step 5)';

let a: AgeKeyPair;
let b: AgeKeyPair;
beforeAll(async () => {
  [a, b] = await Promise.all([generateAgeKeyPair(), generateAgeKeyPair()]);
});

/** The default site with SOPS on and one operator Secret (pve_exporter's): UptimeKuma's integration is off. */
const siteOf = (recipients: string[], extra: SiteInput = {}): Site => parseSite({
  ...extra, integrations: { uptimeKuma: { enabled: false } }, secrets: { encryption: 'sops-age', ageRecipients: recipients },
}).site;
const generatedFor = (site: Site): SecretManifest[] => {
  let n = 0;
  return planStackSecretsFile(tempDir('enc-gen-'), site, () => `pw${++n}`).manifests;
};
const TALOS_TEXT: TalosPlaintext = { bundle: 'cluster:\n  id: one\n  secret: s1\n', admin: 'crt: c\nkey: k\n', talosconfig: 'context: lab\n' };
/** Writes the files into outDir, as a committed dist/ holds them. */
const commit = (outDir: string, files: readonly OutputFile[]) => {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(outDir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(outDir, f.path), f.content);
  }
};
const render = (site: Site, outDir: string, extra: Partial<EncryptedFilesInput> = {}) =>
  renderEncryptedFiles({ site, outDir, identities: [a.identity], generated: generatedFor(site), now: NOW, ...extra });
const contentOf = (files: readonly OutputFile[], file: string) => files.find((f) => f.path === file)!.content;
const opened = async (text: string, identity = a.identity) => decryptSopsYaml(text, [identity]);

test('without sops-age nothing is encrypted, not even the Talos files synth hands over when dist/ still has copies', async () => {
  const site = parseSite({}).site;
  expect(await renderEncryptedFiles({ site, outDir: tempDir('enc-'), identities: [], generated: [] })).toEqual({ files: [], messages: [] });
  expect(await renderEncryptedFiles({ site, outDir: tempDir('enc-'), identities: [], generated: generatedFor(site), talos: TALOS_TEXT })).toEqual({ files: [], messages: [] });
});

describe('a first run', () => {
  test('encrypts each generated Secret with its values, and a placeholder for each operator Secret, saying how to fill it', async () => {
    const site = siteOf([a.recipient]);
    const generated = generatedFor(site);
    const out = await renderEncryptedFiles({ site, outDir: tempDir('enc-'), identities: [a.identity], generated, now: NOW });
    expect(out.files.map((f) => f.path)).toEqual([...GENERATED, PVE]);
    expect(out.messages).toEqual([`created dist/${PVE} with placeholder values for ${PVE_USED_BY}: fill it with \`sops dist/${PVE}\``]);
    for (const [i, file] of GENERATED.entries()) {
      const { tree, metadata } = await opened(contentOf(out.files, file));
      expect(treeToObject(tree)).toEqual(generated[i]);
      expect(metadata).toMatchObject({ encryptedRegex: KUBERNETES_SECRET_REGEX, lastmodified: '2026-12-04T10:00:00Z', age: [{ recipient: a.recipient }] });
    }
    const pve = await opened(contentOf(out.files, PVE));
    expect(treeToObject(pve.tree)).toEqual({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: 'pve-exporter', namespace: 'monitoring', labels: { 'app.kubernetes.io/part-of': 'monitoring-stack' }, annotations: { 'monitoring-stack/used-by': PVE_USED_BY } },
      type: 'Opaque',
      stringData: { PVE_USER: 'prometheus@pve', PVE_TOKEN_NAME: 'prompve-scraper', PVE_TOKEN_VALUE: PLACEHOLDER_VALUE, PVE_VERIFY_SSL: 'false' },
    });
    expect(pve.metadata.encryptedRegex).toBe(KUBERNETES_SECRET_REGEX);
  });

  test('encrypts the Talos files whole', async () => {
    const out = await render(siteOf([a.recipient]), tempDir('enc-'), { talos: TALOS_TEXT });
    expect(out.files.map((f) => f.path).slice(-3)).toEqual(TALOS);
    const texts = [TALOS_TEXT.bundle, TALOS_TEXT.admin, TALOS_TEXT.talosconfig];
    for (const [i, file] of TALOS.entries()) {
      const { tree, metadata } = await opened(contentOf(out.files, file));
      expect(treeToObject(tree)).toEqual(YAML.parse(texts[i]));
      expect(metadata.encryptedRegex).toBeUndefined();
      // Whole: no value stays in the clear.
      expect(contentOf(out.files, file)).not.toMatch(/: (one|s1|c|k|lab)$/m);
    }
  });

  test('a generated Secret without values is an internal error, named', async () => {
    const site = siteOf([a.recipient]);
    await expect(renderEncryptedFiles({ site, outDir: tempDir('enc-'), identities: [], generated: [] }))
      .rejects.toThrow(new Error('internal: no generated values for Secret monitoring/grafana-admin'));
  });
});

test('placeholder values are named key by key, URLs included', async () => {
  const site = siteOf([a.recipient], {
    alertmanager: { receivers: { webhooks: [{ name: 'chat', urlSecret: 'chat-hook' }] } },
    prometheus: { remoteWrite: [{ name: 'central', url: 'https://metrics.example/api/v1/write', authSecret: 'central-auth' }] },
  });
  const outDir = tempDir('enc-');
  commit(outDir, (await render(site, outDir)).files);
  const again = await render(site, outDir);
  expect(again.messages.filter((m) => m.includes('still holds')).map((m) => m.replace(/ for .*$/, ''))).toEqual([
    `dist/${PVE} still holds placeholder values (PVE_TOKEN_VALUE)`,
    'dist/secrets/chat-hook.sops.yaml still holds placeholder values (url)',
    'dist/secrets/central-auth.sops.yaml still holds placeholder values (username, password)',
  ]);
});

describe('a later run', () => {
  const firstRun = async (site: Site, extra: Partial<EncryptedFilesInput> = {}) => {
    const outDir = tempDir('enc-');
    const generated = generatedFor(site);
    const first = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, now: NOW, talos: TALOS_TEXT, ...extra });
    commit(outDir, first.files);
    return { outDir, generated, first };
  };

  test('keeps every file byte for byte when nothing changed, and still reminds of the placeholders', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated, first } = await firstRun(site);
    const again = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: TALOS_TEXT });
    expect(again.files).toEqual(first.files);
    expect(again.messages).toEqual([`dist/${PVE} still holds placeholder values (PVE_TOKEN_VALUE) for ${PVE_USED_BY}: fill it with \`sops dist/${PVE}\``]);
  });

  test('re-encrypts only a Secret whose values changed, saying why', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated, first } = await firstRun(site);
    const changed = generated.map((m, i) => (i === 1 ? { ...m, stringData: { ...m.stringData, password: 'new' } } : m));
    const again = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated: changed, talos: TALOS_TEXT, now: NOW });
    expect(again.messages[0]).toBe(`re-encrypted dist/${GENERATED[1]} (the plaintext changed)`);
    expect(again.files.filter((f, i) => f.content !== first.files[i].content).map((f) => f.path)).toEqual([GENERATED[1]]);
    expect(treeToObject((await opened(contentOf(again.files, GENERATED[1]))).tree)).toEqual(changed[1]);
  });

  test('new recipients re-key every file, the operator\'s with its values', async () => {
    const { outDir } = await firstRun(siteOf([a.recipient]));
    const site = siteOf([a.recipient, b.recipient]);
    const again = await render(site, outDir, { talos: TALOS_TEXT });
    expect(again.messages).toEqual([
      ...GENERATED.map((f) => `re-encrypted dist/${f} (the recipients changed)`),
      `dist/${PVE} still holds placeholder values (PVE_TOKEN_VALUE) for ${PVE_USED_BY}: fill it with \`sops dist/${PVE}\``,
      `re-encrypted dist/${PVE} for 2 recipient(s), values kept`,
      ...TALOS.map((f) => `re-encrypted dist/${f} (the recipients changed)`),
    ]);
    // The second key opens them all now.
    for (const f of again.files) expect((await opened(f.content, b.identity)).metadata.age.map((x) => x.recipient)).toEqual([a.recipient, b.recipient]);
  });

  test('rotation gives every file a fresh data key, values kept', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated, first } = await firstRun(site);
    const rotated = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: TALOS_TEXT, reencrypt: true, now: NOW });
    expect(rotated.messages).toEqual([
      ...GENERATED.map((f) => `re-encrypted dist/${f} (rotation: a fresh data key)`),
      `dist/${PVE} still holds placeholder values (PVE_TOKEN_VALUE) for ${PVE_USED_BY}: fill it with \`sops dist/${PVE}\``,
      `re-encrypted dist/${PVE} for 1 recipient(s), values kept`,
      ...TALOS.map((f) => `re-encrypted dist/${f} (rotation: a fresh data key)`),
    ]);
    for (const [i, f] of rotated.files.entries()) {
      expect(f.content).not.toBe(first.files[i].content);
      expect(treeToObject((await opened(f.content)).tree)).toEqual(treeToObject((await opened(first.files[i].content)).tree));
    }
  });

  test('an existing file and no identity, or keys that do not open it, are refused with the keys it wants', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated } = await firstRun(site);
    const first = GENERATED[0];
    await expect(renderEncryptedFiles({ site, outDir, identities: [], generated })).rejects.toThrow(new EncryptionKeyError(
      `dist/${first} exists but no age identity was found to open it (synth compares it with the current values and re-encrypts only on a change); `
      + 'set SOPS_AGE_KEY_FILE to an age key file whose public key is in secrets.ageRecipients (or put it at <secretsDir>/age/keys.txt)',
    ));
    const refusal = async (identities: string[]) => {
      try {
        await renderEncryptedFiles({ site, outDir, identities, generated });
      } catch (error) {
        return error as Error;
      }
      throw new Error('not refused');
    };
    const one = await refusal([b.identity]);
    expect(one).toBeInstanceOf(EncryptionKeyError);
    expect(one.message).toMatch(new RegExp(`^dist/${first} does not open with the 1 age identity found \\(.+\\); it is encrypted to ${a.recipient}\\. Use one of their keys, or if the file was altered, restore it from git\\. Nothing was written$`));
    expect((await refusal([b.identity, (await generateAgeKeyPair()).identity])).message).toContain(' does not open with the 2 age identities found (');
    // Encrypted to two recipients, the message names both.
    const c = await generateAgeKeyPair();
    fs.writeFileSync(path.join(outDir, first), await encryptSopsYaml(generated[0], { ageRecipients: [a.recipient, c.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    expect((await refusal([b.identity])).message).toContain(`; it is encrypted to ${a.recipient}, ${c.recipient}. Use one`);
    // Not a SOPS file at all: it names no recipient.
    fs.writeFileSync(path.join(outDir, first), 'a: 1\n');
    expect((await refusal([a.identity])).message).toMatch(/; it is encrypted to no age recipient \(not a SOPS file with age keys\)\. Use one/);
  });

  test('an operator Secret the operator filled keeps its values byte for byte; a namespace change moves it, values kept', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated } = await firstRun(site);
    const filled = {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pve-exporter', namespace: 'monitoring' }, type: 'Opaque',
      stringData: { PVE_USER: 'prometheus@pve', PVE_TOKEN_NAME: 'prompve-scraper', PVE_TOKEN_VALUE: 'the-real-token', PVE_VERIFY_SSL: 'false' },
    };
    const text = await encryptSopsYaml(filled, { ageRecipients: [a.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX });
    fs.writeFileSync(path.join(outDir, PVE), text);
    const kept = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: TALOS_TEXT });
    expect(contentOf(kept.files, PVE)).toBe(text);
    expect(kept.messages).toEqual([]);

    // A name changed inside the file is put back.
    fs.writeFileSync(path.join(outDir, PVE), await encryptSopsYaml({ ...filled, metadata: { name: 'other', namespace: 'monitoring' } }, { ageRecipients: [a.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    const renamed = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated });
    expect(renamed.messages).toEqual([`dist/${PVE}: Secret monitoring/other is now monitoring/pve-exporter (values kept)`]);
    expect(treeToObject((await opened(contentOf(renamed.files, PVE))).tree)).toEqual(filled);
    fs.writeFileSync(path.join(outDir, PVE), text);

    const moved = siteOf([a.recipient], { kubernetes: { namespace: 'obs' } });
    const out = await render(moved, outDir);
    expect(out.messages).toContain(`dist/${PVE}: Secret monitoring/pve-exporter is now obs/pve-exporter (values kept)`);
    expect(out.messages).not.toContain(`re-encrypted dist/${PVE} for 1 recipient(s), values kept`);
    const { tree, metadata } = await opened(contentOf(out.files, PVE));
    expect(treeToObject(tree)).toEqual({ ...filled, metadata: { name: 'pve-exporter', namespace: 'obs' } });
    expect(metadata.encryptedRegex).toBe(KUBERNETES_SECRET_REGEX);
  });

  test('an operator Secret that hides its name, or encrypts more than data and stringData, is refused', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated } = await firstRun(site);
    const refusal = new EncryptionKeyError(`dist/${PVE} must encrypt only data and stringData (encrypted_regex ${KUBERNETES_SECRET_REGEX}) and name its Secret in the clear: `
      + 'Flux and KSOPS read kind and metadata before decrypting. Re-create it with the .sops.yaml rules (npm run secrets -- init writes them)');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pve-exporter', namespace: 'monitoring' }, stringData: { PVE_TOKEN_VALUE: 't' } };
    for (const [document, rules] of [
      [secret, {}],
      [{ ...secret, metadata: { name: 'pve-exporter' } }, { encryptedRegex: KUBERNETES_SECRET_REGEX }],
      [{ ...secret, metadata: { namespace: 'monitoring' } }, { encryptedRegex: KUBERNETES_SECRET_REGEX }],
      [{ ...secret, metadata: 'x' }, { encryptedRegex: KUBERNETES_SECRET_REGEX }],
      [{ ...secret, metadata: ['pve-exporter'] }, { encryptedRegex: KUBERNETES_SECRET_REGEX }],
    ] as const) {
      fs.writeFileSync(path.join(outDir, PVE), await encryptSopsYaml(document, { ageRecipients: [a.recipient], ...rules }));
      await expect(renderEncryptedFiles({ site, outDir, identities: [a.identity], generated })).rejects.toThrow(refusal);
    }
    // A filled Secret without stringData (data only) has nothing to call a placeholder.
    fs.writeFileSync(path.join(outDir, PVE), await encryptSopsYaml({ ...secret, stringData: undefined, data: { PVE_TOKEN_VALUE: 'dA==' } }, { ageRecipients: [a.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    expect((await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated })).messages).toEqual([]);
  });

  test('another Talos bundle in dist/ is refused unless it is one replaced on purpose', async () => {
    const site = siteOf([a.recipient]);
    const { outDir, generated } = await firstRun(site);
    const other: TalosPlaintext = { ...TALOS_TEXT, bundle: 'cluster:\n  id: two\n  secret: s2\n' };
    await expect(renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: other })).rejects.toThrow(new EncryptionKeyError(
      `dist/${TALOS[0]} holds another Talos secrets bundle than the secrets directory, and that one was not replaced by \`npm run talos -- rotate\` or \`import --replace\` (no backup of it). `
      + 'Nothing was written. If git\'s bundle is the cluster\'s, move <secretsDir>/talos/secrets.yaml and admin-client.yaml away and run synth to restore them from dist/; '
      + 'to switch bundles on purpose, use `npm run talos -- import FILE --replace`',
    ));
    // The same bundle written another way is the same bundle.
    const reformatted = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: { ...TALOS_TEXT, bundle: 'cluster: { id: one, secret: s1 }\n' } });
    expect(reformatted.messages.filter((m) => m.includes('talos/'))).toEqual([]);
    const replaced = await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: other, replacedBundles: ['cluster: {id: x}\n', TALOS_TEXT.bundle] });
    expect(replaced.messages).toContain(`re-encrypted dist/${TALOS[0]} (the plaintext changed)`);
    expect(treeToObject((await opened(contentOf(replaced.files, TALOS[0]))).tree)).toEqual({ cluster: { id: 'two', secret: 's2' } });
  });
});

describe('recoverFromDist', () => {
  const committed = async () => {
    const site = siteOf([a.recipient]);
    const outDir = tempDir('enc-');
    const generated = generatedFor(site);
    commit(outDir, (await renderEncryptedFiles({ site, outDir, identities: [a.identity], generated, talos: TALOS_TEXT, now: NOW })).files);
    return { outDir, generated };
  };
  const ALL = { stackSecrets: true, talosBundle: true, talosAdmin: true };

  test('brings back the generated Secrets by their label (in file-name order) and the Talos files, never the operator\'s', async () => {
    const { outDir, generated } = await committed();
    // Renamed files are still found by the label inside.
    fs.renameSync(path.join(outDir, GENERATED[0]), path.join(outDir, 'secrets/zz-renamed.sops.yaml'));
    // Only *.sops.yaml files are read (this one is not even YAML), in name order whatever the directory's order.
    fs.writeFileSync(path.join(outDir, 'secrets/notes.txt'), 'a: [');
    // A labelled copy without stringData is not a generated Secret's.
    const dataOnly = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'monitoring', labels: { 'monitoring-stack/generated-secret': 'x' } }, data: { k: 'dg==' } };
    fs.writeFileSync(path.join(outDir, 'secrets/x.sops.yaml'), await encryptSopsYaml(dataOnly, { ageRecipients: [a.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    // Nor one whose stringData is not a mapping.
    const textData = { ...dataOnly, metadata: { ...dataOnly.metadata, name: 'y' }, data: undefined, stringData: 'text' };
    fs.writeFileSync(path.join(outDir, 'secrets/y.sops.yaml'), await encryptSopsYaml(textData, { ageRecipients: [a.recipient], encryptedRegex: KUBERNETES_SECRET_REGEX }));
    const recovered = await withReaddirReversed(() => recoverFromDist(outDir, [a.identity], ALL));
    expect(recovered.generated).toEqual([generated[1], generated[2], generated[0]]);
    expect(recovered.talosBundle).toBe(YAML.stringify(YAML.parse(TALOS_TEXT.bundle)));
    expect(recovered.talosAdmin).toBe(YAML.stringify(YAML.parse(TALOS_TEXT.admin)));
  });

  test('only what is missing, and nothing from a dist/ without copies', async () => {
    const { outDir } = await committed();
    expect(await recoverFromDist(outDir, [a.identity], { stackSecrets: false, talosBundle: false, talosAdmin: true }))
      .toEqual({ generated: [], talosBundle: undefined, talosAdmin: YAML.stringify(YAML.parse(TALOS_TEXT.admin)) });
    expect(await recoverFromDist(tempDir('enc-empty-'), [], ALL)).toEqual({ generated: [], talosBundle: undefined, talosAdmin: undefined });
  });

  test('a copy without an identity to open it, or with the wrong keys, is refused: new values would not match the cluster', async () => {
    const { outDir } = await committed();
    await expect(recoverFromDist(outDir, [], ALL)).rejects.toThrow(new EncryptionKeyError(
      `the generated Secret in dist/${GENERATED[1]} is missing from the secrets directory and dist/${GENERATED[1]} holds its encrypted copy, but no age identity was found to open it; `
      + 'set SOPS_AGE_KEY_FILE to an age key file whose public key is in secrets.ageRecipients (or put it at <secretsDir>/age/keys.txt). '
      + `Nothing was generated: new key material would not match the running cluster (to start afresh on purpose, delete dist/${GENERATED[1]})`,
    ));
    await expect(recoverFromDist(outDir, [], { stackSecrets: false, talosBundle: true, talosAdmin: false })).rejects.toThrow(/^the Talos secrets bundle is missing from the secrets directory and dist\/talos\/secrets\.sops\.yaml holds/);
    await expect(recoverFromDist(outDir, [b.identity], { stackSecrets: false, talosBundle: false, talosAdmin: true })).rejects.toThrow(new RegExp(
      '^the talosconfig admin certificate is missing from the secrets directory and dist/talos/admin-client\\.sops\\.yaml does not open with the age identities found: .+\\. '
      + 'Nothing was generated; set SOPS_AGE_KEY_FILE',
    ));
  });
});

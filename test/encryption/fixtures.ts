/** Shared inputs for the encryption tests. */
import * as YAML from 'yaml';

/** A Kubernetes Secret as the stack generates them: stringData and (base64) data. */
export const SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'grafana-admin', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } },
  type: 'Opaque',
  stringData: { username: 'admin', password: 'correct horse battery staple', 'multi-line': 'line one\nline two\n' },
  data: { 'ca.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') },
};

/** Every ENC[…] value of an encrypted file with its dotted path (the MAC's included, as sops.mac). */
export function encValues(text: string): Array<{ path: string; value: string }> {
  const out: Array<{ path: string; value: string }> = [];
  const visit = (node: unknown, path: string[]): void => {
    if (typeof node === 'string' && node.startsWith('ENC[')) out.push({ path: path.join('.'), value: node });
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, [...path, k]);
  };
  visit(YAML.parse(text), []);
  return out;
}

/** The file with one ENC value's ciphertext altered (first base64 character changed), all else intact. */
export function replaceEncData(text: string, encValue: string): string {
  const altered = encValue.replace(/data:(.)/, (_, c: string) => `data:${c === 'A' ? 'B' : 'A'}`);
  if (!text.includes(encValue)) throw new Error('value not found in the file');
  return text.replace(encValue, altered);
}

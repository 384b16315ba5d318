/**
 * A UserVolumeConfig document as Talos validates it (pkg/machinery@v1.13.9
 * config/types/block/user_volume_config.go, volume_config.go ProvisioningSpec.Validate, and the
 * size types byte_size.go, size.go, percentage_size.go): what each volume type allows, and sizes
 * read the way Talos decodes them, and the encryption spec. Not checked: the CEL selector's syntax.
 */
import type { TalosConfigProblem } from './config-rules';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const p = (path: string, value: unknown, message: string): TalosConfigProblem => ({ path, value, message });
/** Talos' generated enum parsers fall back to the lowercase spelling. */
const lower = (v: unknown) => (v === undefined || v === null ? undefined : String(v).toLowerCase());
/** Unset as Talos sees a scalar: absent, null or empty (a size's IsZero, a pointer's nil). */
const unset = (v: unknown) => v === undefined || v === null || v === '';

// The specs' IsZero(): a directory volume may carry none of them.
const ZERO: Record<string, (spec: Obj) => boolean> = {
  provisioning: (s) => unset(s.grow) && unset(s.minSize) && unset(s.maxSize) && unset(obj(s.diskSelector).match),
  encryption: (s) => (unset(s.provider) || lower(s.provider) === 'none') && (!Array.isArray(s.keys) || s.keys.length === 0),
  filesystem: (s) => (unset(s.type) || lower(s.type) === 'none') && unset(s.projectQuotaSupport),
  mount: (s) => unset(s.disableAccessTime) && unset(s.secure),
};

export function userVolumeProblems(d: Obj): TalosConfigProblem[] {
  const id = `UserVolumeConfig${d.name !== undefined ? `/${String(d.name)}` : ''}`;
  const out: TalosConfigProblem[] = [];
  if (!/^[A-Za-z0-9-]{1,34}$/.test(String(d.name ?? ''))) out.push(p(`${id}.name`, d.name, 'must be 1-34 letters, digits or "-"'));
  const type = lower(d.volumeType) ?? 'partition';
  if (type === 'directory') {
    for (const [spec, isZero] of Object.entries(ZERO)) {
      if (!isZero(obj(d[spec]))) out.push(p(`${id}.${spec}`, d[spec], 'is invalid for volumeType directory (a directory lives on EPHEMERAL); remove it'));
    }
    return out;
  }
  if (type !== 'partition' && type !== 'disk') return [...out, p(`${id}.volumeType`, d.volumeType, 'must be partition, disk or directory')];
  const prov = obj(d.provisioning);
  if (unset(obj(prov.diskSelector).match)) out.push(p(`${id}.provisioning.diskSelector`, undefined, 'is required (CEL expression, e.g. disk.dev_path == "/dev/sdb")'));
  if (type === 'disk') {
    if (!unset(prov.minSize) || !unset(prov.maxSize) || !unset(prov.grow)) out.push(p(`${id}.provisioning`, prov, 'minSize, maxSize and grow are not supported for volumeType disk (it takes the whole disk)'));
  } else out.push(...partitionSizeProblems(id, prov));
  const fs = obj(d.filesystem);
  const fsType = lower(fs.type);
  if (fsType !== undefined && !['xfs', 'ext4', 'none'].includes(fsType)) out.push(p(`${id}.filesystem.type`, fs.type, 'must be xfs or ext4'));
  if (fs.projectQuotaSupport === true && fsType !== 'xfs') out.push(p(`${id}.filesystem.projectQuotaSupport`, true, 'is only available with filesystem type xfs'));
  return [...out, ...encryptionProblems(`${id}.encryption`, obj(d.encryption))];
}

/**
 * EncryptionSpec.Validate (encryption.go): nothing when unset (provider none and no keys); else
 * LUKS2 with at least one key, each in its own slot, of at least one kind, TPM PCRs 0-23.
 */
function encryptionProblems(path: string, spec: Obj): TalosConfigProblem[] {
  // The provider enum's parser refuses "" (Talos does not load the document).
  if (spec.provider === '') return [p(`${path}.provider`, '', 'must be luks2 (or leave encryption out)')];
  if (ZERO.encryption(spec)) return [];
  const out: TalosConfigProblem[] = [];
  if (lower(spec.provider) !== 'luks2') out.push(p(`${path}.provider`, spec.provider, 'must be luks2 (or leave encryption out)'));
  const keys = Array.isArray(spec.keys) ? spec.keys.map(obj) : [];
  if (keys.length === 0) out.push(p(`${path}.keys`, spec.keys, 'at least one key is required'));
  const slots = new Set<unknown>();
  for (const key of keys) {
    const slot = key.slot ?? 0; // KeySlot is an int: absent reads as 0
    if (slots.has(slot)) out.push(p(`${path}.keys`, slot, 'two keys use this slot; give each its own'));
    slots.add(slot);
    if (['static', 'nodeID', 'kms', 'tpm'].every((kind) => key[kind] === undefined || key[kind] === null)) {
      out.push(p(`${path}.keys`, slot, 'the key in this slot needs a kind: static, nodeID, kms or tpm'));
    }
    for (const pcr of arr(obj(obj(key.tpm).options).pcrs)) {
      if (typeof pcr !== 'number' || !Number.isInteger(pcr) || pcr < 0 || pcr > 23) out.push(p(`${path}.keys.tpm.options.pcrs`, pcr, 'must be a TPM PCR, 0-23'));
    }
  }
  return out;
}

/** A partition's sizes as ProvisioningSpec.Validate reads them: one of them, min not above max, min not negative. */
function partitionSizeProblems(id: string, prov: Obj): TalosConfigProblem[] {
  if (unset(prov.minSize) && unset(prov.maxSize)) return [p(`${id}.provisioning`, prov, 'minSize or maxSize is required')];
  const min = talosSize(prov.minSize, false);
  const max = talosSize(prov.maxSize, true);
  const out: TalosConfigProblem[] = [];
  for (const [field, size] of [['minSize', min], ['maxSize', max]] as const) {
    if (size === 'unreadable') out.push(p(`${id}.provisioning.${field}`, prov[field], `is not a size Talos reads; use e.g. 10GiB or 500MB${field === 'maxSize' ? ' (or a percentage, 80%)' : ''}`));
  }
  if (typeof min === 'object' && min.negative) out.push(p(`${id}.provisioning.minSize`, prov.minSize, 'must not be negative'));
  if (typeof min === 'object' && typeof max === 'object' && !max.negative && !max.percent && min.bytes > max.bytes) {
    out.push(p(`${id}.provisioning`, prov, 'minSize is greater than maxSize; lower minSize or raise maxSize'));
  }
  return out;
}

// go-humanize's ParseBytes table (units in any case; bare k, m, g... are decimal).
const UNITS: Record<string, number> = {
  '': 1, b: 1, kb: 1e3, k: 1e3, mb: 1e6, m: 1e6, gb: 1e9, g: 1e9, tb: 1e12, t: 1e12, pb: 1e15, p: 1e15, eb: 1e18, e: 1e18,
  kib: 2 ** 10, ki: 2 ** 10, mib: 2 ** 20, mi: 2 ** 20, gib: 2 ** 30, gi: 2 ** 30, tib: 2 ** 40, ti: 2 ** 40, pib: 2 ** 50, pi: 2 ** 50, eib: 2 ** 60, ei: 2 ** 60,
};
/**
 * strconv.ParseFloat's decimal forms (underscores between digits, exponent, a signed inf, an unsigned
 * nan: Go refuses "+nan"); hexadecimal floats are left out.
 */
const GO_FLOAT = /^(?:[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?)|nan)$/i;

interface TalosSize { readonly bytes: number; readonly negative: boolean; readonly percent: boolean }

/**
 * A size as Talos decodes it (block.ByteSize, and block.Size for maxSize, which may also be a
 * percentage): YAML hands the scalar's text to UnmarshalText, so 100 reads as "100"; an optional
 * "-"; then go-humanize's ParseBytes (digits with "." and ",", then a unit; 2^64 bytes or more is
 * too large) or strconv.ParseFloat and 0-100 for a percentage. Unset is undefined; what Talos
 * would refuse to load is 'unreadable'.
 */
function talosSize(v: unknown, percentAllowed: boolean): TalosSize | 'unreadable' | undefined {
  if (unset(v)) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return 'unreadable';
  const raw = String(v);
  const negative = raw.startsWith('-');
  const text = negative ? raw.slice(1) : raw;
  if (percentAllowed && raw.includes('%')) {
    // A "%" anywhere but last leaves one in what ParseFloat reads.
    const number = text.slice(0, -1);
    if (!GO_FLOAT.test(number)) return 'unreadable';
    // Vetted by GO_FLOAT, it differs from what Number() reads only in its underscores and its spellings of inf.
    const value = Number(number.replace(/_/g, '').toLowerCase().replace('infinity', 'inf').replace('inf', 'Infinity'));
    return value < 0 || value > 100 ? 'unreadable' : { bytes: value, negative, percent: true }; // NaN passes, as in Go
  }
  const digits = /^[\d.,]*/.exec(text)![0];
  const number = digits.replace(/,/g, '');
  const unit = UNITS[text.slice(digits.length).trim().toLowerCase()];
  if (!/^(\d+\.?\d*|\.\d+)$/.test(number) || unit === undefined) return 'unreadable';
  const bytes = Number(number) * unit;
  return bytes >= 2 ** 64 ? 'unreadable' : { bytes: Math.floor(bytes), negative, percent: false };
}

/**
 * The Alloy serializer's exact output for the shapes the syslog gateway config does not use today
 * (references inside objects, empty objects, nested objects, non-finite numbers, blocks holding
 * only blocks, several top-level blocks). `alloy fmt` accepts each as canonical
 * (test/upstream/alloy-syntax.test.ts); these pin the text in-process for mutation testing.
 */
import { formatAlloy } from '../../charts/syslog/alloy-syntax';

const attr = (value: unknown) => formatAlloy([{ name: 'x', attributes: [['v', value as never]] }]);

describe('Alloy serializer edges', () => {
  test('only an object whose one key is a string `ref` is a bare reference', () => {
    expect(attr({ ref: 'loki.write.a.receiver' })).toBe('x {\n\tv = loki.write.a.receiver\n}\n');
    expect(attr({ ref: 'a.b', job: 'x' })).toBe('x {\n\tv = {\n\t\tref = "a.b",\n\t\tjob = "x",\n\t}\n}\n');
    expect(attr({ ref: 1 })).toBe('x {\n\tv = {\n\t\tref = 1,\n\t}\n}\n');
    expect(attr({ other: 'a.b' })).toBe('x {\n\tv = {\n\t\tother = "a.b",\n\t}\n}\n');
    expect(attr([{ ref: 'a.b' }, 'c', 1])).toBe('x {\n\tv = [a.b, "c", 1]\n}\n');
  });

  test('an empty object is `{}`; a nested object closes at its own depth', () => {
    expect(attr({})).toBe('x {\n\tv = {}\n}\n');
    expect(attr({ a: { b: 1 } })).toBe('x {\n\tv = {\n\t\ta = {\n\t\t\tb = 1,\n\t\t},\n\t}\n}\n');
  });

  test('non-finite numbers are refused', () => {
    expect(() => attr(Number.NaN)).toThrow(/Alloy number NaN is not finite/);
    expect(() => attr(Number.POSITIVE_INFINITY)).toThrow(/Alloy number Infinity is not finite/);
  });

  test('a block holding only blocks has no blank line before its first child; top-level blocks sit one blank line apart', () => {
    expect(formatAlloy([{ name: 'a', blocks: [{ name: 'b', attributes: [['c', 1]] }] }, { name: 'd', label: 'e', attributes: [['f', true]] }]))
      .toBe('a {\n\tb {\n\t\tc = 1\n\t}\n}\n\nd "e" {\n\tf = true\n}\n');
  });
});

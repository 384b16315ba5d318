/** Quantities as the API server reports a claim's capacity and request. */
import { parseQuantity } from '../../verify/cluster/quantity';

describe('parseQuantity', () => {
  test.each([
    ['16Gi', 16 * 2 ** 30], ['100G', 100e9], ['1.5Ti', 1.5 * 2 ** 40], ['512Mi', 512 * 2 ** 20], ['1e9', 1e9], ['107374182400', 107374182400], ['500m', 0.5], ['2k', 2000],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)).toBe(value);
  });

  test('binary and decimal units compare as sizes: 100Gi is more than 100G', () => {
    expect(parseQuantity('100Gi')!).toBeGreaterThan(parseQuantity('100G')!);
  });

  test('fails (undefined) on what is not a quantity', () => {
    expect(parseQuantity('16 GiB')).toBeUndefined();
    expect(parseQuantity('')).toBeUndefined();
  });
});

/** The count and list wording every renderer uses (site/words.ts). */
import { spelled, wordList } from '../../site/words';

test('counts are spelled up to nine, digits from ten on', () => {
  expect([0, 1, 2, 3, 4, 5, 9, 10, 12].map(spelled)).toEqual(['no', 'one', 'two', 'three', 'four', 'five', 'nine', '10', '12']);
});

test('lists join with commas and the conjunction before the last item', () => {
  expect(wordList([])).toBe('');
  expect(wordList(['a'])).toBe('a');
  expect(wordList(['a', 'b'])).toBe('a or b');
  expect(wordList(['a', 'b', 'c'], 'and')).toBe('a, b and c');
});

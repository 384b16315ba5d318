/** Small helpers for the texts every renderer writes about counts and lists. */

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** A count as the texts spell it ("three of five"); digits from ten on. */
export function spelled(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** "a", "a or b", "a, b or c" (or "and"). */
export function wordList(items: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

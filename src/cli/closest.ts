/**
 * "Did you mean": the known word closest to a mistyped one, by edit distance with adjacent
 * transpositions (`prot` is one step from `port`), suggested only when it is close.
 *
 * @module
 */

/**
 * The edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of
 * two adjacent characters, each one step (the optimal string alignment distance).
 *
 * @example
 * ```ts
 * editDistance("prot", "port"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table: two rows back (for swaps), the last one and this one.
  let before: number[] = [];
  let last = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((last[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (last[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    before = last;
    last = row;
  }
  return last[b.length] ?? 0;
}

/**
 * The word of `known` closest to `given` (compared in lower case), when it is close: at most
 * one step away for words of up to 4 characters, two for longer ones, or the only word that
 * starts with `given` (3 characters or more). Ties go to the earlier word.
 *
 * @example
 * ```ts
 * closest("prot", ["host", "port", "persist"]); // "port" (host is 2 steps away)
 * closest("pers", ["port", "persist"]); // "persist"
 * closest("frobnicate", ["port"]); // undefined
 * ```
 */
export function closest(given: string, known: readonly string[]): string | undefined {
  const word = given.toLowerCase();
  const allowed = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of known) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  const starting = known.filter((candidate) => candidate.startsWith(word));
  return word.length >= 3 && starting.length === 1 ? starting[0] : undefined;
}

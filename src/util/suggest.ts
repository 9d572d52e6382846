/**
 * "Did you mean ...?": the closest known name to a misspelled one — config and rule keys, rule ids, control ids.
 * Distance is the optimal-string-alignment Damerau–Levenshtein distance (insertions, deletions, substitutions and
 * transpositions of neighbours each count 1), compared without case.
 */

/** Edit distance between two strings (a swap of two neighbouring characters counts 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rows: the one two back (for transpositions), the previous one and the current one.
  let twoBack = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, twoBack[j - 2]! + 1);
      current[j] = best;
    }
    [twoBack, previous, current] = [previous, current, twoBack];
  }
  return previous[b.length]!;
}

/**
 * How far a name may be from a known one to be suggested: 2 edits, 1 for names of 4 characters or fewer (so that
 * "nope" does not become "none" of something unrelated, and "x" is never anything).
 */
export function suggestionDistance(name: string): number {
  if (name.length <= 2) return 0;
  return name.length <= 4 ? 1 : 2;
}

/** The known name closest to `name` within the suggestion distance (the first of equals), or undefined. */
export function closestName(name: string, known: Iterable<string>, maxDistance = suggestionDistance(name)): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === name) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= maxDistance && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * ` (did you mean "exclude"?)` — or `` when nothing is close. `quote: false` for ids, which are written bare
 * (`no rule root-console-logn (did you mean root-console-login?)`).
 */
export function didYouMean(name: string, known: Iterable<string>, options: { quote?: boolean } = {}): string {
  const closest = closestName(name, known);
  if (closest === undefined) return '';
  return ` (did you mean ${options.quote === false ? closest : JSON.stringify(closest)}?)`;
}

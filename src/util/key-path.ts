/** Renders a key path the way users write it: match.detail.eventName, tests.match[0].record. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/[.\s[\]"]/.test(String(segment))) out += `[${JSON.stringify(String(segment))}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

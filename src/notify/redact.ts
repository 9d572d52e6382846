/**
 * The process-wide redactor: every resolved secret value is registered here, and every line the
 * notifier logs, every error it stores or throws, and `notify status` output go through it.
 */
/** Replaces registered secret values, and shapes that are secret by construction, with a marker. */
export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Shapes that carry credentials whatever their source (defence in depth for values never registered). */
  private static readonly SHAPES: readonly RegExp[] = [
    /https:\/\/hooks\.slack(?:-gov)?\.com\/services\/[^\s"'<>]+/g,
    /https:\/\/[\w.-]*webhook\.office\.com\/[^\s"'<>]+/g,
    /https:\/\/[\w.-]*\.logic\.azure\.com[^\s"'<>]*[?&]sig=[^\s"'<>&]+/g,
    /(GenieKey|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  ];

  /**
   * Registers a secret value (values shorter than 4 characters are not treated as secrets: too ambiguous to
   * find). A URL is secret in its parts too, since a receiver, a proxy or an error page may echo any of them
   * ("Cannot POST /hooks/T0K3N"): its path and query (with and without their fragment), each query value, its
   * user and password, and each path segment that looks like a credential (see urlParts).
   */
  add(value: string | undefined): void {
    if (value === undefined || value.length < 4) return;
    let changed = false;
    for (const part of [value, ...urlParts(value)]) {
      for (const v of new Set([part, encodeURIComponent(part), JSON.stringify(part).slice(1, -1)])) {
        if (v.length >= 4 && !this.values.has(v)) {
          this.values.add(v);
          changed = true;
        }
      }
    }
    if (changed) this.pattern = undefined;
  }

  redact(text: string): string {
    if (text === '') return text;
    let out = text;
    if (this.values.size > 0) {
      // Longest first, so a secret that contains another is replaced whole.
      this.pattern ??= new RegExp([...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
      out = out.replace(this.pattern, '[REDACTED]');
    }
    for (const shape of Redactor.SHAPES) out = out.replace(shape, (m) => (m.startsWith('https://') ? `${new URL(m).origin}/[REDACTED]` : `${m.split(/\s+/)[0]} [REDACTED]`));
    return out;
  }

  clear(): void {
    this.values.clear();
    this.pattern = undefined;
  }
}

/**
 * The parts of an http(s) URL that can carry a credential on their own: the path when it is more than a word
 * (8 characters or more, or any digit: "/hooks/T0K3N", "/services/T000/B000/XXXX", not "/api"), the query and
 * each of its values, the fragment, the user and the password, and each path segment that looks like a token
 * (16 characters or more, or 8 or more with a digit). Nothing for a value that is not a URL.
 */
export function urlParts(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return [];
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return [];
  const parts: string[] = [];
  const decoded = (text: string): string[] => {
    try {
      const d = decodeURIComponent(text);
      return d === text ? [text] : [text, d];
    } catch {
      return [text];
    }
  };
  const path = url.pathname;
  if (path.length >= 8 || /\d/.test(path)) parts.push(...decoded(path));
  if (url.search.length > 1) {
    parts.push(...decoded(url.search), ...decoded(url.search.slice(1)), ...decoded(`${path}${url.search}`));
    for (const v of url.searchParams.values()) parts.push(v);
  }
  if (url.hash.length > 1) parts.push(...decoded(url.hash.slice(1)));
  if (url.username) parts.push(...decoded(url.username));
  if (url.password) parts.push(...decoded(url.password));
  for (const segment of path.split('/')) {
    if (segment.length >= 16 || (segment.length >= 8 && /\d/.test(segment))) parts.push(...decoded(segment));
  }
  return parts.filter((p) => p.length >= 4);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide redactor: every resolved secret is registered here, and everything the notifier writes goes through it. */
export const secretRedactor = new Redactor();

export function redact(text: string): string {
  return secretRedactor.redact(text);
}

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

  /** Registers a secret value (values shorter than 4 characters are not treated as secrets: too ambiguous to find). */
  add(value: string | undefined): void {
    if (value === undefined || value.length < 4) return;
    const variants = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    let changed = false;
    for (const v of variants) {
      if (v.length >= 4 && !this.values.has(v)) {
        this.values.add(v);
        changed = true;
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide redactor: every resolved secret is registered here, and everything the notifier writes goes through it. */
export const secretRedactor = new Redactor();

export function redact(text: string): string {
  return secretRedactor.redact(text);
}

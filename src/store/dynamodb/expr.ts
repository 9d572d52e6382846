/**
 * DynamoDB expressions without reserved-word trouble: every attribute name goes through a `#n` placeholder
 * and every value through a `:v` placeholder (state, status, count, ttl, owner ... are reserved words).
 *
 *   const e = new Expr();
 *   e.update({ set: { state: 'sending', attempts: e.raw(`${e.name('attempts')} + ${e.value(1)}`) }, remove: ['leaseUntil'] })
 *   e.condition(`${e.name('state')} = ${e.value('pending')}`)
 */

/** A piece of expression text used as is (`attempts + :v1`, another attribute's path). */
export class Raw {
  constructor(readonly text: string) {}
}

export interface UpdateSpec {
  /** SET name = value; an undefined value becomes REMOVE name (the attribute is absent, as NULL is in SQLite). */
  set?: Record<string, unknown>;
  remove?: readonly string[];
  /** ADD name number. */
  add?: Record<string, number>;
}

export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  #nameCount = 0;
  #valueCount = 0;
  readonly #byName = new Map<string, string>();

  name(attribute: string): string {
    let placeholder = this.#byName.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.#nameCount++}`;
      this.#byName.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.#valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  raw(text: string): Raw {
    return new Raw(text);
  }

  /** `#a IN (:v1, :v2)`. */
  in(attribute: string, values: readonly unknown[]): string {
    return `${this.name(attribute)} IN (${values.map((v) => this.value(v)).join(', ')})`;
  }

  update(spec: UpdateSpec): string {
    const set: string[] = [];
    const remove = [...(spec.remove ?? [])];
    for (const [attribute, value] of Object.entries(spec.set ?? {})) {
      if (value === undefined) remove.push(attribute);
      else set.push(`${this.name(attribute)} = ${value instanceof Raw ? value.text : this.value(value)}`);
    }
    const add = Object.entries(spec.add ?? {}).map(([attribute, n]) => `${this.name(attribute)} ${this.value(n)}`);
    return [
      set.length > 0 ? `SET ${set.join(', ')}` : '',
      remove.length > 0 ? `REMOVE ${remove.map((a) => this.name(a)).join(', ')}` : '',
      add.length > 0 ? `ADD ${add.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }

  /** The placeholders, for a command's input (omitted when empty: DynamoDB rejects empty maps). */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

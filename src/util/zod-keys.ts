/**
 * The keys a zod schema knows at a path of the document it validates, for "did you mean" on an unknown key.
 * Reads zod 4's schema definitions (`_zod.def`) structurally; anything it does not know yields no keys (and so no
 * suggestion), never an error.
 */

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  catchall?: unknown;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  left?: unknown;
  right?: unknown;
  items?: unknown[];
  getter?: () => unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const zod = (schema as { _zod?: { def?: SchemaDef } })._zod;
  return zod?.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional', 'success']);

/** The schemas a value may be checked against once wrappers (optional, default, pipe, lazy, union) are looked through. */
function resolve(schema: unknown, depth = 0): unknown[] {
  const def = defOf(schema);
  if (!def || depth > 32) return [];
  if (def.type !== undefined && WRAPPERS.has(def.type)) return resolve(def.innerType, depth + 1);
  if (def.type === 'pipe') return resolve(def.in, depth + 1);
  if (def.type === 'lazy' && def.getter) return resolve(def.getter(), depth + 1);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => resolve(o, depth + 1));
  if (def.type === 'intersection') return [...resolve(def.left, depth + 1), ...resolve(def.right, depth + 1)];
  return [schema];
}

function step(schema: unknown, segment: PropertyKey): unknown[] {
  const def = defOf(schema);
  if (!def) return [];
  switch (def.type) {
    case 'object': {
      const field = def.shape?.[String(segment)];
      return field !== undefined ? [field] : def.catchall !== undefined ? [def.catchall] : [];
    }
    case 'array':
      return def.element !== undefined ? [def.element] : [];
    case 'tuple':
      return typeof segment === 'number' && def.items?.[segment] !== undefined ? [def.items[segment]] : [];
    case 'record':
      return def.valueType !== undefined ? [def.valueType] : [];
    default:
      return [];
  }
}

/**
 * The keys the object schema(s) at `path` accept. Where several object schemas may apply (a union), the ones that
 * know most of the keys `input` has win — the branch the author was evidently writing.
 */
export function knownKeysAt(schema: unknown, path: readonly PropertyKey[], input?: unknown): string[] {
  let current = resolve(schema);
  for (const segment of path) current = current.flatMap((s) => step(s, segment)).flatMap((s) => resolve(s));
  const objects = current.map(defOf).filter((d): d is SchemaDef => d?.type === 'object' && d.shape !== undefined);
  if (objects.length === 0) return [];
  const given = input !== null && typeof input === 'object' ? Object.keys(input) : [];
  const score = (d: SchemaDef) => given.filter((k) => Object.hasOwn(d.shape!, k)).length;
  const best = Math.max(...objects.map(score));
  return [...new Set(objects.filter((d) => score(d) === best).flatMap((d) => Object.keys(d.shape!)))];
}

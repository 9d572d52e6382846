import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';

/** Whether {"field": values} matches an event whose "field" is `eventValue`. */
export function accepts(values: readonly unknown[], eventValue: unknown): boolean {
  return compileEventPattern({ field: values }).matches({ field: eventValue });
}

/** Whether {"field": values} matches an event that has no "field" at all. */
export function acceptsMissing(values: readonly unknown[]): boolean {
  return compileEventPattern({ field: values }).matches({ other: 'x' });
}

export function matches(pattern: string | object, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

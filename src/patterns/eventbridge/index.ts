export { compileEventPattern, type CompiledEventPattern } from './compile-event-pattern.js';
export { compileFieldReader, type FieldReader } from './matching/field-reader.js';
export type { LeafValue } from './syntax/value-condition.js';
export { COMPLEX, MISSING, plainPathReader, withEventScope, type PlainPathReader, type PlainValue } from './matching/plain-path.js';

export { compileFilterPattern, type CompiledFilterPattern, type FilterPatternKind } from './compile-filter-pattern.js';

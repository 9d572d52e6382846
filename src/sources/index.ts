export { missingInputs, planInputs, readInputs, ScanCounters } from './files.js';
export type { InputEntry, InputPlan, ReadOptions, SourceChunk } from './files.js';

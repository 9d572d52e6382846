export { missingInputs, planInputs, readInputs, ScanCounters } from './files.js';
export type { InputEntry, InputPlan, ReadOptions, SourceChunk } from './files.js';
export { planSources, readSources } from './inputs.js';
export type { S3SourceOptions, SourceOptions, SourcePlan } from './inputs.js';
export { isS3Url, parseS3Url } from './s3-layout.js';

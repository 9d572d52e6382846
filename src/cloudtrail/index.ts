/** The cloudtrail module's public surface: decoding, actor normalization, the EventBridge envelope, types. */
export { decodeRecords, decodeJsonLine, JsonLinesDecoder, looksLikeJsonLines, MAX_DEPTH, CLOUDTRAIL_DETAIL_TYPE_SUFFIX } from './decode.js';
export type { DecodeOptions } from './decode.js';
export { normalizeActor, actorOf, arnResource, parseAssumedRoleArn } from './actor.js';
export {
  toEventBridgeEnvelope,
  eventBridgeSource,
  eventBridgeDetailType,
  eventBridgeTime,
  eventBridgeId,
  DETAIL_TYPE_BY_EVENT_TYPE,
  DEFAULT_DETAIL_TYPE,
  EVENTBRIDGE_SOURCE_EXCEPTIONS,
} from './envelope.js';
export type * from './types.js';

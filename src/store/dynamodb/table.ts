/**
 * The DynamoDB table the deployed store lives in: its key schema, indexes and TTL attribute. The CDK app
 * (infra/) creates the table from these names and the store (src/store/dynamodb/) reads and writes by
 * them, so the two cannot drift apart.
 *
 * One table, generic key names (single-table design): every item type (finding, outbox row, link,
 * group head, remediation decision, claim, approval ...) chooses its own pk/sk prefixes; gsi1 and gsi2
 * are sparse indexes that only the item types that need them populate.
 */
export const STORE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it (items that must be kept have none). */
  timeToLiveAttribute: 'ttl',
  indexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

export type StoreIndexName = (typeof STORE_TABLE.indexes)[number]['indexName'];

import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { describeStoreContract } from './contract.js';

// The same contract the DynamoDB store passes (test/store/dynamodb.test.ts), on an in-memory SQLite store.
describeStoreContract('sqlite', async () => openSqliteStore(':memory:'));

/**
 * `npm run build` step: writes the build-time data next to the compiled loader — the parsed built-in
 * catalog (catalog.json, see catalog-cache.ts) and the AWS operation names the eventName check needs
 * (api-operations.json, see api-operations.ts), extracted from dev dependencies that a built trailguard
 * therefore never loads.
 */
import { statSync, writeFileSync } from 'node:fs';
import { BUILTIN_RULES_DIR, CATALOG_CACHE_FILE, listRuleFiles } from './load.js';
import { writeCatalogCache } from './catalog-cache.js';
import { API_OPERATIONS_FILE } from './api-operations.js';
import { extractOperationData, modelOperationData } from './api-models.js';

const cache = writeCatalogCache(BUILTIN_RULES_DIR, listRuleFiles(BUILTIN_RULES_DIR), CATALOG_CACHE_FILE);
process.stdout.write(`built-in catalog: ${cache.rules.length} rules parsed into ${CATALOG_CACHE_FILE}\n`);

const operations = extractOperationData(modelOperationData());
writeFileSync(API_OPERATIONS_FILE, JSON.stringify(operations));
const sources = Object.entries(operations.sources).map(([name, version]) => `${name}@${version}`).join(', ');
process.stdout.write(
  `API operations: ${Object.keys(operations.models).length} API models, ${Object.keys(operations.iamActions).length} IAM services (${sources}) ` +
    `into ${API_OPERATIONS_FILE} (${Math.round(statSync(API_OPERATIONS_FILE).size / 1024)} KB)\n`,
);

/** `npm run build` step: writes the parsed built-in catalog next to the compiled loader (see catalog-cache.ts). */
import { BUILTIN_RULES_DIR, CATALOG_CACHE_FILE, listRuleFiles } from './load.js';
import { writeCatalogCache } from './catalog-cache.js';

const cache = writeCatalogCache(BUILTIN_RULES_DIR, listRuleFiles(BUILTIN_RULES_DIR), CATALOG_CACHE_FILE);
process.stdout.write(`built-in catalog: ${cache.rules.length} rules parsed into ${CATALOG_CACHE_FILE}\n`);

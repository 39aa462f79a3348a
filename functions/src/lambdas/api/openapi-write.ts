// `pnpm openapi`: regenerates functions/openapi.json from the route schemas.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiText } from './openapi';

const target = fileURLToPath(new URL('../../../openapi.json', import.meta.url));
writeFileSync(target, openApiText());
process.stdout.write(`wrote ${target}\n`);

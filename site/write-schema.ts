/** Writes site.schema.json from the same zod schema the validator uses (`npm run schema`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { siteJsonSchemaText } from './json-schema';

const target = path.join(__dirname, '..', 'site.schema.json');
fs.writeFileSync(target, siteJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);

import * as z from 'zod';
import { SiteSchema } from './schema';

/** The published JSON Schema for site files (input side: every field optional, defaults shown). */
export function siteJsonSchemaText(): string {
  const schema = z.toJSONSchema(SiteSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'Monitoring stack site description', $id: 'site.schema.json' }, null, 2)}\n`;
}

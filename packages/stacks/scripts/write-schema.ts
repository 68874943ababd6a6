/**
 * Regenerates schema/topology.schema.json from the zod schema.
 * Run from packages/stacks: npx ts-node scripts/write-schema.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { topologyJsonSchema } from '../src/topology/schema';

export const SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'topology.schema.json');

export function renderSchema(): string {
  return JSON.stringify(topologyJsonSchema(), null, 2) + '\n';
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}

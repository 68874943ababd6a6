import * as fs from 'fs';
import { renderSchema, SCHEMA_FILE } from '../../scripts/write-schema';
import { topologyJsonSchema, topologySchema } from '../../src/topology';

describe('JSON Schema', () => {
  test('the committed schema file matches the zod schema (regenerate: npx ts-node scripts/write-schema.ts)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
  });

  test('describes the file as written: required fields, defaults, no unknown fields', () => {
    const schema = topologyJsonSchema() as any;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['source', 'destinations', 'pipeline']); // repositories or namespaces: a cross-check
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.keyAlias.default).toBe('alias/ecr-kms-replication');
    expect(schema.properties.removal).toEqual(expect.objectContaining({ enum: ['retain', 'destroy'], default: 'retain' }));
    expect(schema.properties.pipeline.required).toEqual(['account', 'region', 'connectionArn', 'repository']);
    expect(schema.properties.pipeline.properties.branch.default).toBe('main');
    expect(schema.properties.destinations.maxItems).toBe(25);
    expect(schema.properties.repositories.maxItems).toBe(1000);
  });

  test('carries descriptions and patterns for editors', () => {
    const schema = topologyJsonSchema() as any;
    const account = schema.properties.source.properties.account;
    expect(account).toEqual(expect.objectContaining({ type: 'string', pattern: '^\\d{12}$' }));
    expect(account.description).toMatch(/quoted/);
    const repository = schema.properties.repositories.items;
    expect(repository.properties.name.pattern).toBe('^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$');
    expect(repository.properties.existing.description).toMatch(/adopted/);
    // existing: true (the source), everywhere, or a list of environments.
    expect(repository.properties.existing.anyOf.map((a: { type: string }) => a.type)).toEqual(['boolean', 'string', 'array']);
    expect(schema.properties.destinations.items.properties.creationTemplate.default).toBe(true);
  });

  test('topologySchema is the zod schema itself', () => {
    expect(topologySchema.safeParse({}).success).toBe(false);
  });
});

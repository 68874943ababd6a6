/**
 * Writes a topology file: the inverse of `load.ts`, for tools that generate
 * one (`ecr-kms-replication import`). The text is YAML in the documented
 * layout, with the editor's `$schema` line and comments where a person has
 * to read or fill something in.
 */
import * as path from 'path';
import * as YAML from 'yaml';

/** A comment on one field of the file, found by its path (e.g. `['pipeline', 'connectionArn']`, `['repositories', 0]`). */
export interface FieldComment {
  readonly path: readonly (string | number)[];
  /** Comment lines above the field; an empty string is a bare `#` line. */
  readonly above?: readonly string[];
  /** A comment at the end of the field's line (fields with a single value only). */
  readonly inline?: string;
}

export interface TopologyFileOptions {
  /**
   * Where the JSON Schema is, relative to the file's folder, for the
   * `# yaml-language-server: $schema=...` line that editors read.
   *
   * @default - no `$schema` line
   */
  readonly schema?: string;
  /** Comment lines at the top of the file, after the `$schema` line. */
  readonly header?: readonly string[];
  /** Comments on fields. A path the data does not have is an error. */
  readonly comments?: readonly FieldComment[];
}

/** The JSON Schema of the topology file, as it sits in this package. */
export const TOPOLOGY_SCHEMA_FILE = 'schema/topology.schema.json';

/**
 * The `$schema` reference of a topology file written to `folder`: the path of
 * the schema file relative to it, with `/` separators.
 *
 * @param packageDir the folder of this package (`@ecr-kms-replication/stacks`)
 */
export function schemaReference(folder: string, packageDir: string): string {
  return path.relative(folder, path.join(packageDir, TOPOLOGY_SCHEMA_FILE)).split(path.sep).join('/');
}

/**
 * The topology file of `data` (the file's fields, in the order they are to
 * appear), with comments. Accounts come out quoted, as the format requires.
 */
export function formatTopologyFile(data: Record<string, unknown>, options: TopologyFileOptions = {}): string {
  const doc = new YAML.Document(data);
  const header = [
    ...(options.schema ? [`yaml-language-server: $schema=${options.schema}`] : []),
    ...(options.header ?? []),
  ];
  if (header.length > 0) doc.commentBefore = commentText(header);

  // A blank line between the top-level fields, as in the examples.
  const top = doc.contents as YAML.YAMLMap;
  top.items.forEach((pair, i) => {
    if (i > 0 && YAML.isNode(pair.key)) pair.key.spaceBefore = true;
  });

  for (const comment of options.comments ?? []) {
    const parentPath = comment.path.slice(0, -1);
    const last = comment.path[comment.path.length - 1];
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
    let anchor: YAML.Node | undefined;
    let value: unknown;
    if (YAML.isMap(parent)) {
      const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === last);
      anchor = pair && YAML.isNode(pair.key) ? pair.key : undefined;
      value = pair?.value;
    } else if (YAML.isSeq(parent) && typeof last === 'number') {
      value = parent.items[last];
      anchor = YAML.isNode(value) ? value : undefined;
    }
    if (!anchor) throw new Error(`formatTopologyFile: no field at ${JSON.stringify(comment.path)}`);
    if (comment.above && comment.above.length > 0) {
      anchor.commentBefore = commentText(comment.above);
    }
    if (comment.inline !== undefined) {
      if (!YAML.isScalar(value)) throw new Error(`formatTopologyFile: ${JSON.stringify(comment.path)} has no single value for an inline comment`);
      value.comment = ` ${comment.inline}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** YAML's comment text: each line after its `#`, with the usual space (an empty line stays a bare `#`). */
function commentText(lines: readonly string[]): string {
  return lines.map((line) => ` ${line}`).join('\n');
}

/**
 * Reads a layer kind's zod options schema into form fields, so the inspector edits every kind —
 * including ones added later — without a hand-written form per kind.
 */
import type { z } from 'zod';

/** What every field has: its dotted path, its label (the Keras option name), its default and its help text. */
interface FieldBase {
  path: string;
  label: string;
  defaultValue: unknown;
  /** The option's one-line help, from the schema's `describe()`; `undefined` when it has none. */
  description: string | undefined;
}

export type Field =
  | (FieldBase & { type: 'number'; integer: boolean; nullable: boolean })
  | (FieldBase & { type: 'boolean' })
  | (FieldBase & { type: 'enum'; values: string[] })
  /** A wrapped layer (Bidirectional's `layer`): pick the kind, then edit its options. */
  | (FieldBase & { type: 'layer'; kinds: { kind: string; fields: Field[] }[] });

// Zod 4 exposes its definition at runtime; this reads only the few node types option schemas use.
interface SchemaNode {
  type: string;
  def: { innerType?: SchemaNode; defaultValue?: unknown };
  shape?: Record<string, SchemaNode>;
  options?: SchemaNode[] | string[];
  values?: Set<unknown>;
  isInt?: boolean;
  /** Zod 4 reads it from `z.globalRegistry`, where `describe()` puts it. */
  description?: string;
}

function unwrap(node: SchemaNode): { node: SchemaNode; defaultValue: unknown; nullable: boolean } {
  let defaultValue: unknown;
  let nullable = false;
  let current = node;
  for (;;) {
    if (current.type === 'default') {
      defaultValue = current.def.defaultValue;
      current = current.def.innerType!;
    } else if (current.type === 'nullable') {
      nullable = true;
      current = current.def.innerType!;
    } else return { node: current, defaultValue, nullable };
  }
}

function fieldsOf(shape: Record<string, SchemaNode>, prefix: string): Field[] {
  const fields: Field[] = [];
  for (const [key, raw] of Object.entries(shape)) {
    const path = prefix + key;
    const { node, defaultValue, nullable } = unwrap(raw);
    // The option schemas put describe() outermost, after default() and nullable().
    const base = { path, label: key, defaultValue, description: raw.description };
    switch (node.type) {
      case 'number':
        fields.push({ ...base, type: 'number', integer: node.isInt === true, nullable });
        break;
      case 'boolean':
        fields.push({ ...base, type: 'boolean' });
        break;
      case 'enum':
        fields.push({ ...base, type: 'enum', values: node.options as string[] });
        break;
      case 'union': {
        const kinds = (node.options as SchemaNode[]).flatMap((option) => {
          const kindNode = option.shape?.kind;
          const optionsNode = option.shape?.options;
          if (kindNode?.type !== 'literal' || optionsNode === undefined) return [];
          const inner = unwrap(optionsNode).node;
          return [{ kind: String([...kindNode.values!][0]), fields: fieldsOf(inner.shape ?? {}, `${path}.options.`) }];
        });
        if (kinds.length > 0) fields.push({ ...base, type: 'layer', kinds });
        break;
      }
      default:
        // An option type the inspector cannot edit stays as it is in the project file.
        break;
    }
  }
  return fields;
}

/** The editable fields of an options schema, in declaration order, with dotted paths. */
export function optionFields(schema: z.ZodType): Field[] {
  const node = schema as unknown as SchemaNode;
  return fieldsOf(node.shape ?? {}, '');
}

/** The value at a dotted path in an options object. */
export function valueAt(options: Record<string, unknown>, path: string): unknown {
  let value: unknown = options;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

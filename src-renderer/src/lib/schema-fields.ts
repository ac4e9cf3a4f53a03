/**
 * Reads a layer kind's zod options schema into form fields, so the inspector edits every kind —
 * including ones added later — without a hand-written form per kind.
 */
import type { z } from 'zod';

export type Field =
  | { type: 'number'; path: string; label: string; integer: boolean; nullable: boolean; defaultValue: unknown }
  | { type: 'boolean'; path: string; label: string; defaultValue: unknown }
  | { type: 'enum'; path: string; label: string; values: string[]; defaultValue: unknown }
  /** A wrapped layer (Bidirectional's `layer`): pick the kind, then edit its options. */
  | { type: 'layer'; path: string; label: string; kinds: { kind: string; fields: Field[] }[]; defaultValue: unknown };

// Zod 4 exposes its definition at runtime; this reads only the few node types option schemas use.
interface SchemaNode {
  type: string;
  def: { innerType?: SchemaNode; defaultValue?: unknown };
  shape?: Record<string, SchemaNode>;
  options?: SchemaNode[] | string[];
  values?: Set<unknown>;
  isInt?: boolean;
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
    switch (node.type) {
      case 'number':
        fields.push({ type: 'number', path, label: key, integer: node.isInt === true, nullable, defaultValue });
        break;
      case 'boolean':
        fields.push({ type: 'boolean', path, label: key, defaultValue });
        break;
      case 'enum':
        fields.push({ type: 'enum', path, label: key, values: node.options as string[], defaultValue });
        break;
      case 'union': {
        const kinds = (node.options as SchemaNode[]).flatMap((option) => {
          const kindNode = option.shape?.kind;
          const optionsNode = option.shape?.options;
          if (kindNode?.type !== 'literal' || optionsNode === undefined) return [];
          const inner = unwrap(optionsNode).node;
          return [{ kind: String([...kindNode.values!][0]), fields: fieldsOf(inner.shape ?? {}, `${path}.options.`) }];
        });
        if (kinds.length > 0) fields.push({ type: 'layer', path, label: key, kinds, defaultValue });
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

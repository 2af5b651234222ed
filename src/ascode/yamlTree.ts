// YAML desired-state files read into the same syntax tree as JSON ones (jsonc-parser's Node shape,
// with source offsets), so one checker gives both the same messages at the same line:column.
import type { Node, NodeType } from 'jsonc-parser';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';

/** jsonc-parser's Node, built here a piece at a time (its fields are read-only for its users). */
type Building = { -readonly [K in keyof Node]: Node[K] };

export interface YamlTree {
  root?: Node;
  errors: Array<{ offset: number; message: string }>;
}

export function parseYamlTree(text: string): YamlTree {
  // No custom tags, no dates or binary: only what JSON can hold. Duplicate keys are errors.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, schema: 'core', merge: false });
  const errors = doc.errors.map((e) => ({ offset: e.pos[0], message: sentence(e.message) }));
  if (errors.length > 0 || doc.contents === null) return { errors };
  return { root: build(doc, doc.contents, undefined, 0), errors };
}

function sentence(message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').trim();
  return first.endsWith('.') ? first.slice(0, -1) : first;
}

function node(type: NodeType, at: YamlNode | undefined, fallbackOffset: number, parent: Node | undefined): Building {
  const [start, end] = at?.range ?? [fallbackOffset, fallbackOffset];
  return { type, offset: start, length: Math.max(0, end - start), parent };
}

function build(doc: Document, value: YamlNode | null | undefined, parent: Node | undefined, fallbackOffset: number): Node {
  if (value === null || value === undefined) return { ...node('null', undefined, fallbackOffset, parent), value: null };
  // An alias stands where it is written, with the anchored value.
  const target = isAlias(value) ? (value.resolve(doc) ?? null) : value;
  if (target === null) return { ...node('null', value, fallbackOffset, parent), value: null };
  if (isMap(target)) {
    const object = node('object', value, fallbackOffset, parent);
    object.children = target.items.map((pair) => {
      const keyNode = pair.key as YamlNode | null;
      const property = node('property', keyNode ?? undefined, object.offset, object);
      const keyText = isScalar(keyNode) ? String(keyNode.value) : '';
      const key: Node = { ...node('string', keyNode ?? undefined, property.offset, property), value: keyText };
      const end = keyNode?.range?.[1] ?? property.offset;
      property.children = [key, build(doc, pair.value as YamlNode | null, property, end)];
      return property;
    });
    return object;
  }
  if (isSeq(target)) {
    const array = node('array', value, fallbackOffset, parent);
    array.children = target.items.map((item) => build(doc, item as YamlNode | null, array, array.offset));
    return array;
  }
  if (isScalar(target)) {
    const v = target.value;
    if (v === null || v === undefined) return { ...node('null', value, fallbackOffset, parent), value: null };
    if (typeof v === 'number') return { ...node('number', value, fallbackOffset, parent), value: v };
    if (typeof v === 'boolean') return { ...node('boolean', value, fallbackOffset, parent), value: v };
    // The core schema yields only JSON's scalars; anything else is kept as its text rather than guessed.
    const text = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? '');
    return { ...node('string', value, fallbackOffset, parent), value: text };
  }
  return { ...node('null', value, fallbackOffset, parent), value: null };
}

/**
 * Where each piece of script data sits in the YAML text. Built once per
 * compile by one walk of the YAML AST, so positioning a diagnostic is a map
 * lookup (large scripts can produce many errors).
 */
import { isMap, isNode, isScalar, isSeq, type LineCounter, type Node as YamlNode } from 'yaml';
import { childPointer, pointerSegments, type DataPath, type Segment } from './paths.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface IndexEntry {
  /** The mapping key, absent for the root and list items. */
  readonly key?: YamlNode;
  /** The value node; null for `key:` with nothing (depending on the parser) or an empty document. */
  readonly value: YamlNode | null;
  /** Parent pointer and own segment, so data paths are only built for the few entries that get a diagnostic. */
  readonly parent?: string;
  readonly segment?: Segment;
}

/** The JS key yaml's `toJS` gives a scalar key (numbers and booleans are stringified, null is ""). */
export function keyString(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const value: unknown = key.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return undefined;
  return String(value);
}

export class PositionIndex {
  private readonly entries = new Map<string, IndexEntry>();

  constructor(
    root: YamlNode | null,
    private readonly lines: LineCounter,
  ) {
    this.entries.set('', { value: root });
    this.walk('', root);
  }

  private walk(pointer: string, value: YamlNode | null): void {
    if (isMap(value)) {
      for (const pair of value.items) {
        const name = keyString(pair.key);
        if (name === undefined) continue;
        const child = childPointer(pointer, name);
        const node = isNode(pair.value) ? pair.value : null;
        const key = isScalar(pair.key) ? pair.key : undefined;
        this.entries.set(child, key ? { key, value: node, parent: pointer, segment: name } : { value: node, parent: pointer, segment: name });
        this.walk(child, node);
      }
    } else if (isSeq(value)) {
      value.items.forEach((item, i) => {
        const child = childPointer(pointer, i);
        const node = isNode(item) ? item : null;
        this.entries.set(child, { value: node, parent: pointer, segment: i });
        this.walk(child, node);
      });
    }
    // Aliases are not followed: errors inside one land on the alias itself (its nearest indexed ancestor).
  }

  /** The entry at a JSON pointer, or its nearest indexed ancestor. */
  entry(pointer: string): IndexEntry {
    let current = pointer;
    for (;;) {
      const found = this.entries.get(current);
      if (found) return found;
      if (current === '') return { value: null };
      current = current.slice(0, current.lastIndexOf('/'));
    }
  }

  /** The exact entry, if the pointer names a node in the YAML. */
  exact(pointer: string): IndexEntry | undefined {
    return this.entries.get(pointer);
  }

  /** The data path for a pointer, using the index to tell list indexes from keys. */
  path(pointer: string): DataPath {
    if (this.entries.has(pointer)) {
      const segments: Segment[] = [];
      for (let at = this.entries.get(pointer); at?.segment !== undefined; at = this.entries.get(at.parent ?? '')) {
        segments.push(at.segment);
      }
      return segments.reverse();
    }
    const segments = pointerSegments(pointer);
    return segments.map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
  }

  /** Offsets where each line starts (index 0 = line 1). */
  get lineStarts(): readonly number[] {
    return this.lines.lineStarts;
  }

  offsetPosition(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  nodePosition(node: YamlNode | null | undefined): Position {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, column: 1 } : this.offsetPosition(start);
  }

  /** On the key when asked and there is one, else on the value (or the key when the value is missing). */
  position(pointer: string, on: 'key' | 'value'): Position {
    const found = this.entry(pointer);
    if (on === 'key' && found.key) return this.nodePosition(found.key);
    return this.nodePosition(found.value ?? found.key);
  }
}

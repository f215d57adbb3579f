/**
 * Where each piece of script data sits in the YAML text. Built by one walk of
 * the YAML AST the first time a position is asked for, so positioning a
 * diagnostic is a map lookup (large scripts can produce many errors), and a
 * script read by the quick reader (quick-yaml.ts) that has nothing to report
 * never has its YAML parsed into an AST at all.
 */
import type { LineCounter, Node as YamlNode } from 'yaml';
import { yamlPackage } from '../yaml/yaml-package.js';
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
  if (!yamlPackage().isScalar(key)) return undefined;
  const value: unknown = key.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return undefined;
  return String(value);
}

/** The YAML AST and its line table, for an index built when first used. */
export type YamlTree = () => { readonly root: YamlNode | null; readonly lines: LineCounter };

interface Built {
  readonly entries: Map<string, IndexEntry>;
  readonly lines: LineCounter;
}

export class PositionIndex {
  private built: Built | undefined;
  private readonly tree: YamlTree;
  /**
   * Every mapping key of the YAML is a string scalar, known without reading the
   * AST: the quick reader accepts nothing else. Checks for keys YAML read as
   * numbers (`1:`) can then skip the AST.
   */
  readonly keysAreStrings: boolean;

  /** An index of this AST. */
  constructor(root: YamlNode | null, lines: LineCounter);
  /** An index of the AST `tree` makes when a position is first asked for. */
  constructor(tree: YamlTree, keysAreStrings: boolean);
  constructor(rootOrTree: YamlNode | null | YamlTree, linesOrKeys: LineCounter | boolean) {
    if (typeof rootOrTree === 'function') {
      this.tree = rootOrTree;
      this.keysAreStrings = linesOrKeys === true;
    } else {
      const lines = linesOrKeys as LineCounter;
      this.tree = () => ({ root: rootOrTree, lines });
      this.keysAreStrings = false;
    }
  }

  private get index(): Built {
    if (this.built === undefined) {
      const { root, lines } = this.tree();
      const entries = new Map<string, IndexEntry>();
      entries.set('', { value: root });
      walk(entries, '', root);
      this.built = { entries, lines };
    }
    return this.built;
  }

  /** The entry at a JSON pointer, or its nearest indexed ancestor. */
  entry(pointer: string): IndexEntry {
    let current = pointer;
    for (;;) {
      const found = this.index.entries.get(current);
      if (found) return found;
      if (current === '') return { value: null };
      current = current.slice(0, current.lastIndexOf('/'));
    }
  }

  /** The exact entry, if the pointer names a node in the YAML. */
  exact(pointer: string): IndexEntry | undefined {
    return this.index.entries.get(pointer);
  }

  /** The data path for a pointer, using the index to tell list indexes from keys. */
  path(pointer: string): DataPath {
    const { entries } = this.index;
    if (entries.has(pointer)) {
      const segments: Segment[] = [];
      for (let at = entries.get(pointer); at?.segment !== undefined; at = entries.get(at.parent ?? '')) {
        segments.push(at.segment);
      }
      return segments.reverse();
    }
    const segments = pointerSegments(pointer);
    return segments.map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
  }

  /** Offsets where each line starts (index 0 = line 1). */
  get lineStarts(): readonly number[] {
    return this.index.lines.lineStarts;
  }

  offsetPosition(offset: number): Position {
    const { line, col } = this.index.lines.linePos(offset);
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

function walk(entries: Map<string, IndexEntry>, pointer: string, value: YamlNode | null): void {
  const { isMap, isNode, isScalar, isSeq } = yamlPackage();
  if (isMap(value)) {
    for (const pair of value.items) {
      const name = keyString(pair.key);
      if (name === undefined) continue;
      const child = childPointer(pointer, name);
      const node = isNode(pair.value) ? pair.value : null;
      const key = isScalar(pair.key) ? pair.key : undefined;
      entries.set(child, key ? { key, value: node, parent: pointer, segment: name } : { value: node, parent: pointer, segment: name });
      walk(entries, child, node);
    }
  } else if (isSeq(value)) {
    value.items.forEach((item, i) => {
      const child = childPointer(pointer, i);
      const node = isNode(item) ? item : null;
      entries.set(child, { value: node, parent: pointer, segment: i });
      walk(entries, child, node);
    });
  }
  // Aliases are not followed: errors inside one land on the alias itself (its nearest indexed ancestor).
}

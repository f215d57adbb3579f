/**
 * Paths into the script data. Internally a path is a list of segments (string
 * keys, number indexes); ajv speaks JSON Pointer; diagnostics show a dot path:
 * identifier keys as `.key`, other keys as `["key"]` (JSON-quoted), list
 * indexes as `[n]` — e.g. `steps.menu.branches["1"]`, `numbers[0]`,
 * `steps["main-menu"].next`.
 */
export type Segment = string | number;
export type DataPath = readonly Segment[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function dotPath(path: DataPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function escapeSegment(segment: Segment): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(path: DataPath): string {
  return path.map((segment) => `/${escapeSegment(segment)}`).join('');
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function childPointer(pointer: string, segment: Segment): string {
  return `${pointer}/${escapeSegment(segment)}`;
}

/**
 * Finds the keys a prompt tells the caller to press: "press 1", "dial 0",
 * "enter 9", "press 1 or 2", "press star". Offsets are into the template text,
 * so diagnostics can point at the mention itself.
 */

export interface KeyMention {
  /** The key as a branch would spell it: "1", "0", "*9", "#". */
  readonly key: string;
  /** Offset of the key's first character in the text. */
  readonly offset: number;
  /** How the text wrote it ("1", "one", "star"), for messages. */
  readonly written: string;
}

const WORDS: Readonly<Record<string, string>> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  star: '*',
  hash: '#',
  pound: '#',
};

// A key: digits, star and hash, or one of them spelt out.
const KEY = String.raw`(?:[0-9*#]+|zero|one|two|three|four|five|six|seven|eight|nine|star|hash|pound)(?![A-Za-z0-9])`;
// "enter 8 digits" describes an input, it does not offer key 8.
const NOT_A_COUNT = String.raw`(?![\s-]*digits?\b)`;
const SEPARATOR = String.raw`(?:\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+)`;
const MENTION = new RegExp(
  String.raw`\b(?:press|dial|enter|push)\s+(?:the\s+)?(${KEY}${NOT_A_COUNT}(?:${SEPARATOR}${KEY}${NOT_A_COUNT})*)`,
  'gi',
);
const ONE_KEY = new RegExp(`${KEY}${NOT_A_COUNT}`, 'gi');
// Later in the same sentence: "press 1 for sales, 2 for support", "press 1 to confirm or 2 to reschedule".
const MORE = new RegExp(String.raw`(?:,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+)(${KEY})(?=\s+(?:for|to)\b)`, 'gi');
const SENTENCE_END = /[.!?;\n]/;

/** Template expressions are blanked out (same length, so offsets hold): "press {{key}}" offers nothing we can know. */
export function literalText(template: string): string {
  return template.replace(/\{\{[\s\S]*?\}\}/g, (m) => ' '.repeat(m.length));
}

/** Every key the text offers, in order of appearance. */
export function keyMentions(template: string): KeyMention[] {
  const text = literalText(template);
  const found: KeyMention[] = [];
  const add = (written: string, offset: number): void => {
    if (found.some((m) => m.offset === offset)) return;
    found.push({ key: WORDS[written.toLowerCase()] ?? written, offset, written });
  };
  for (const match of text.matchAll(MENTION)) {
    const list = match[1] ?? '';
    const end = (match.index ?? 0) + match[0].length;
    const listStart = end - list.length;
    for (const key of list.matchAll(ONE_KEY)) add(key[0], listStart + (key.index ?? 0));
    const rest = text.slice(end);
    const sentence = rest.slice(0, rest.search(SENTENCE_END) === -1 ? rest.length : rest.search(SENTENCE_END));
    for (const more of sentence.matchAll(MORE)) {
      const key = more[1] ?? '';
      add(key, end + (more.index ?? 0) + more[0].length - key.length);
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** 1-based line and column of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

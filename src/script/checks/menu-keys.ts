/**
 * CS_KEY_WITHOUT_BRANCH / CS_BRANCH_NOT_OFFERED: a menu whose words and
 * branches disagree. Callers only know the keys the prompt tells them about,
 * and a key the prompt offers with no branch sends them to the invalid-input
 * handling. Both are warnings: the text may be read out by a template or
 * describe a hidden shortcut on purpose. Only gathers with branches are
 * checked; multi-key branches (codes) need not be offered.
 */
import { toPointer, type DataPath } from '../paths.js';
import { isRecord, kindsOf, own, ownRecord, type RawRecord } from '../raw.js';
import type { Reporter } from '../report.js';
import { stepsOf } from '../semantic-checks.js';
import { templatePosition } from '../template-checks.js';
import { keyMentions, lineColumn, type KeyMention } from './key-mentions.js';
import { blockIsMessage, messageLeaves } from '../messages.js';

export const KEY_WITHOUT_BRANCH = 'CS_KEY_WITHOUT_BRANCH';
export const BRANCH_NOT_OFFERED = 'CS_BRANCH_NOT_OFFERED';

interface MenuText {
  readonly path: DataPath;
  readonly text: string;
  /** What the caller hears it as, for messages. */
  readonly role: 'prompt' | 'invalid message' | 'default invalid message';
}

/** The texts a caller hears at a gather: its prompt(s), and the message said when input matches no branch (every language's, every attempt's). */
function menuTexts(data: RawRecord, id: string, step: RawRecord): MenuText[] {
  const texts: MenuText[] = [];
  const add = (path: DataPath, value: unknown, role: MenuText['role']): void => {
    for (const leaf of messageLeaves(path, value)) if (leaf.role === 'message') texts.push({ path: leaf.path, text: leaf.source, role });
  };
  const gather = own(step, 'gather');
  if (blockIsMessage('gather', gather)) add(['steps', id, 'gather'], gather, 'prompt');
  else if (isRecord(gather)) add(['steps', id, 'gather', 'prompt'], own(gather, 'prompt'), 'prompt');
  const invalid = own(step, 'invalid');
  if (typeof invalid === 'string') return texts; // `invalid: <step>` goes there at once, without a message
  const ownMessage = isRecord(invalid) ? own(invalid, 'message') : undefined;
  if (ownMessage !== undefined) {
    add(['steps', id, 'invalid', 'message'], ownMessage, 'invalid message');
    return texts;
  }
  const fallback = own(ownRecord(ownRecord(data, 'defaults') ?? {}, 'invalid') ?? {}, 'message');
  if (fallback !== undefined) add(['defaults', 'invalid', 'message'], fallback, 'default invalid message');
  return texts;
}

/** Keys the script's (and this gather's own) `keys:` handle here: offering them in a prompt is fine. */
function globalKeys(data: RawRecord, step: RawRecord): Set<string> {
  const keys = new Set(Object.keys(ownRecord(data, 'keys') ?? {}));
  for (const [key, target] of Object.entries(ownRecord(step, 'keys') ?? {})) {
    if (target === null) keys.delete(key);
    else keys.add(key);
  }
  return keys;
}

function quoteKey(key: string): string {
  return JSON.stringify(key);
}

export function checkMenuKeys(data: unknown, reporter: Reporter, yamlSource: string): void {
  if (!isRecord(data)) return;
  const { index } = reporter;
  for (const [id, step] of Object.entries(stepsOf(data))) {
    if (!isRecord(step)) continue;
    const kinds = kindsOf(step);
    if (kinds.length !== 1 || kinds[0] !== 'gather') continue;
    // A gather without branches collects input for `next`: any key is fine there.
    const branches = ownRecord(step, 'branches');
    if (branches === undefined) continue;
    const keys = Object.keys(branches);
    const handled = globalKeys(data, step);
    const texts = menuTexts(data, id, step);
    const offered = new Set<string>();
    let dynamic = false;
    for (const t of texts) {
      const mentions: KeyMention[] = keyMentions(t.text);
      if (t.text.includes('{{')) dynamic = true;
      for (const m of mentions) {
        offered.add(m.key);
        // "then press hash" tells callers how to end their input; Hoiio never passes `#` on as a key.
        if (Object.hasOwn(branches, m.key) || m.key.includes('#') || handled.has(m.key)) continue;
        const { line, column } = lineColumn(t.text, m.offset);
        reporter.atPosition(
          templatePosition(index, yamlSource, index.exact(toPointer(t.path))?.value, t.text, line, column),
          t.path,
          KEY_WITHOUT_BRANCH,
          `the ${t.role} of gather \`${id}\` says "${m.written}" but \`branches\` has no ${quoteKey(m.key)}: ` +
            `callers who press it get the invalid-input handling; add \`${quoteKey(m.key)}: <step>\` to branches or reword the ${t.role}` +
            (keys.length > 0 ? ` (branches: ${keys.map(quoteKey).join(', ')})` : ''),
          'warning',
        );
      }
    }
    // A template may read the keys out ("press {{key}}"): only a text that offers keys literally is held to them.
    if (dynamic && offered.size === 0) continue;
    for (const key of keys) {
      // Codes ("1234", "*9") are often secret on purpose ("enter your code"); only single keys are a menu's choices.
      if (offered.has(key) || key.length > 1) continue;
      reporter.at(
        toPointer(['steps', id, 'branches', key]),
        'key',
        BRANCH_NOT_OFFERED,
        `branch ${quoteKey(key)} of gather \`${id}\` is not offered by its prompt or invalid message ` +
          `(no "press ${key}"): callers cannot know about it; mention it, or remove the branch`,
        'warning',
      );
    }
  }
}

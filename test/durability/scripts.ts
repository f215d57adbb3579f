import type { BlockEntry, SimCall } from '../../src/simulator/index.js';

/** The call script the durability tests run, in two versions that differ only in what callers hear. */
export function surveyScript(version: 'v1' | 'v2'): string {
  const tag = version === 'v1' ? 'Version one' : 'Version two';
  return `name: survey
numbers: ["+6560000100"]
vars: { company: Acme }
steps:
  hello:
    play: "${tag}. Hello from {{company}}."
    next: ask
  ask:
    gather: { prompt: "${tag}. Press 1 to leave a code, 2 to leave.", max_digits: 1, timeout: 30 }
    branches: { "1": code, "2": bye }
  code:
    gather: { prompt: "${tag}. Enter your four digit code.", max_digits: 4, timeout: 30 }
    save_as: code
    next: bye
  bye:
    hangup: '${tag}. Thank you. Code {{default code "none"}}. Goodbye.'
`;
}

export const SURVEY_NUMBER = '+6560000100';

/** What a caller hears, block by block, on `version` when pressing `choice` (and `code` after 1). */
export function expectedSpoken(version: 'v1' | 'v2', choice: '1' | '2', code?: string): Array<[string, string]> {
  const tag = version === 'v1' ? 'Version one' : 'Version two';
  const out: Array<[string, string]> = [
    ['play', `${tag}. Hello from Acme.`],
    ['gather', `${tag}. Press 1 to leave a code, 2 to leave.`],
  ];
  if (choice === '1') out.push(['gather', `${tag}. Enter your four digit code.`]);
  out.push(['hangup', `${tag}. Thank you. Code ${choice === '1' ? (code ?? '') : 'none'}. Goodbye.`]);
  return out;
}

/** The blocks Hoiio ran, with their messages: recovery's sends it refused (still running, call over) ran nothing. */
export function heard(call: SimCall): Array<[string, string]> {
  return call.transcript
    .filter((e): e is BlockEntry => e.kind === 'block' && e.response === 'success_ok')
    .map((e) => [e.block, e.params.msg ?? '']);
}

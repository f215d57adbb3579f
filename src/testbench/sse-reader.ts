/**
 * Reads a server-sent event stream as the EventSource spec does, from raw
 * network chunks: bytes are decoded by one streaming UTF-8 decoder (a character
 * split across two chunks is joined, not turned into U+FFFD), lines end at CRLF,
 * LF or CR (a CR at a chunk's end waits for a possible LF), `data:` lines of one
 * event are joined with LF, and an event ends at a blank line.
 *
 * Written here rather than taken from `eventsource-parser` to keep the terminal
 * phone free of a dependency for one small, fully tested job.
 */
export async function* sseData(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let data: string[] = [];
  const lines = function* (text: string, final: boolean): Generator<string> {
    pending += text;
    let start = 0;
    for (let i = 0; i < pending.length; i++) {
      const ch = pending[i];
      if (ch !== '\r' && ch !== '\n') continue;
      // A CR as the last character may be the first half of a CRLF split across chunks.
      if (ch === '\r' && i === pending.length - 1 && !final) break;
      yield pending.slice(start, i);
      if (ch === '\r' && pending[i + 1] === '\n') i++;
      start = i + 1;
    }
    pending = pending.slice(start);
  };
  const take = (line: string): string | undefined => {
    if (line === '') {
      const event = data.length > 0 ? data.join('\n') : undefined;
      data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    return undefined;
  };
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (const line of lines(text, false)) {
      const event = take(line);
      if (event !== undefined) yield event;
    }
  }
  for (const line of lines(decoder.decode(), true)) {
    const event = take(line);
    if (event !== undefined) yield event;
  }
}

/**
 * A value parsed from a webhook's body must not keep the body alive: a call keeps
 * its CallSid (and a recording URL) for its whole life and, once ended, for
 * `--ended-retention` (docs/performance.md, "The sixth look"). Measured with the
 * heap itself: bodies padded to 64 KB, only the CallSid kept, then a full GC.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { field, FormFields, parseForm } from '../../src/provider/twiml/form.js';
import { parseHoiioNotification } from '../../src/provider/hoiio/notification.js';
import { detached } from '../../src/util/detached-string.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BODIES = 200;
const PADDING = 'x'.repeat(64 * 1024);

/** Heap growth, after a full GC, from keeping what `keep` takes from each of BODIES distinct 64 KB bodies. */
function retainedBytes(keep: (body: string, n: number) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  for (let n = 0; n < BODIES; n++) {
    // Built by concatenation and flattened by the parser's first scan, as a body read from a socket is one flat string.
    const body = `AccountSid=AC${'0'.repeat(32)}&CallSid=CA${String(n).padStart(32, '0')}&Padding=${PADDING}${n}`;
    kept.push(keep(body, n));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  expect(kept.length).toBe(BODIES);
  return grown;
}

describe('detached', () => {
  it('returns the same text', () => {
    expect(detached('CA0123456789abcdef0123456789abcdef')).toBe('CA0123456789abcdef0123456789abcdef');
    expect(detached('')).toBe('');
    expect(detached('€ and 😀, not only ASCII')).toBe('€ and 😀, not only ASCII');
  });

  it('a plain slice of a body keeps the body: the measurement can see it', () => {
    const grown = retainedBytes((body) => body.slice(body.indexOf('CallSid=') + 8, body.indexOf('&Padding')));
    expect(grown).toBeGreaterThan((BODIES * PADDING.length) / 2);
  });

  it('a TwiML form value kept alone does not keep its body', () => {
    const grown = retainedBytes((body, n) => {
      const sid = field(parseForm(body) ?? FormFields.of({}), 'CallSid');
      expect(sid).toBe(`CA${String(n).padStart(32, '0')}`);
      return sid;
    });
    expect(grown).toBeLessThan(PADDING.length * 4);
  });

  it('a Hoiio notification field kept alone does not keep its body', () => {
    const grown = retainedBytes((body, n) => {
      const session = parseHoiioNotification('', body.replace('CallSid=', 'session=')).session;
      expect(session).toBe(`CA${String(n).padStart(32, '0')}`);
      return session;
    });
    expect(grown).toBeLessThan(PADDING.length * 4);
  });
});

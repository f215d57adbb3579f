/** The TwiML simulator's own XML reader: what a provider accepts, and the markup errors it refuses (Twilio's 12100). */
import { describe, expect, it } from 'vitest';
import { parseTwimlReply, textOf, TwimlParseError } from '../../src/simulator/twiml/index.js';

describe('the simulated provider reading a reply', () => {
  it('reads elements, attributes, text and entities', () => {
    const reply = parseTwimlReply('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://a.example/s?t=1&amp;k=gather" numDigits="1"><Say voice="Polly.Amy">Press 1 &amp; &#35; &lt;now&gt;</Say></Gather><Redirect>https://a.example/s?t=1&amp;k=none</Redirect><Hangup/></Response>');
    const [gather, redirect, hangup] = reply.children;
    expect(typeof gather !== 'string' && gather?.attributes).toEqual({ action: 'https://a.example/s?t=1&k=gather', numDigits: '1' });
    expect(typeof gather !== 'string' && gather !== undefined && textOf(gather)).toBe('Press 1 & # <now>');
    expect(typeof redirect !== 'string' && redirect !== undefined && textOf(redirect)).toBe('https://a.example/s?t=1&k=none');
    expect(typeof hangup !== 'string' && hangup?.name).toBe('Hangup');
  });

  it.each([
    ['a bare &', '<Response><Say>a & b</Say></Response>'],
    ['an unclosed element', '<Response><Say>hi</Response>'],
    ['a leading text', 'oops<Response/>'],
    ['two roots', '<Response/><Response/>'],
    ['another root', '<Reply/>'],
    ['a duplicated attribute', '<Response><Pause length="1" length="2"/></Response>'],
    ['an unquoted attribute', '<Response><Pause length=1/></Response>'],
  ])('refuses %s', (_label, xml) => {
    expect(() => parseTwimlReply(xml)).toThrow(TwimlParseError);
  });
});

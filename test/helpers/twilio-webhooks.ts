/**
 * Twilio's webhooks as a test posts them to a server started with `startServer`,
 * in memory (`app.request`): form-encoded and signed over the public URL.
 */
import { expect } from 'vitest';
import { FormFields, parseForm } from '../../src/provider/twiml/form.js';
import { twilioSignature } from '../../src/provider/twiml/signature.js';
import type { RunningServer } from '../../src/server/start.js';
import type { MemoryStore } from '../../src/store/memory-store.js';
import type { ImmediateStore } from '../../src/store/session-store.js';

export const PUBLIC_URL = 'https://ivr.example.com';
export const TWILIO_TOKEN = 'twilio-auth-token';
export const TWILIO_ENV: Readonly<Record<string, string>> = { TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: TWILIO_TOKEN };

/** Posts `fields` to `url` (absolute, under `PUBLIC_URL`) as Twilio does; expects 200 and returns the TwiML. */
export async function postTwilio(server: Pick<RunningServer, 'app'>, url: string, fields: Record<string, string>): Promise<string> {
  const body = new URLSearchParams(fields).toString();
  const signature = twilioSignature(TWILIO_TOKEN, url, parseForm(body) ?? FormFields.of({}));
  const res = await server.app.request(url.slice(PUBLIC_URL.length), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body,
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** The continuation URL of a verb in a reply, unescaped. */
export function continuationUrl(xml: string, verb: 'Gather' | 'Redirect'): string {
  const m = verb === 'Gather' ? /<Gather[^>]* action="([^"]+)"/.exec(xml) : /<Redirect[^>]*>([^<]+)</.exec(xml);
  if (m?.[1] === undefined) throw new Error(`no ${verb} in ${xml}`);
  return m[1].replaceAll('&amp;', '&');
}

/** Replaces some of a memory store's `immediate` methods (to count calls), the rest kept. */
export function patchImmediate(store: MemoryStore, patch: (base: ImmediateStore) => Partial<ImmediateStore>): void {
  const base = store.immediate;
  // A readonly field of the class: replaced on the instance, as a subclass field would reset it.
  Object.defineProperty(store, 'immediate', { value: { ...base, ...patch(base) } });
}

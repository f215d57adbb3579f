/**
 * What Hoiio's IVR API can do (../shared/hoiio-ivr-api.md), as the table the
 * load-time checks and the engine read. Numbers come from the contract's
 * limits (§3.3, §3.9, "Limits"): `msg` ≤ 1000 characters, `tag` ≤ 256,
 * gather `max_digits` 0–255.
 */
import type { ProviderCapabilities } from '../../engine/capabilities.js';
import { hoiioMessageLength } from './render.js';

export const HOIIO_CAPABILITIES: ProviderCapabilities = Object.freeze({
  name: 'hoiio',
  delivery: 'push',
  maxMessageLength: 1000,
  // Hoiio counts the `msg` it receives, so its `<speech>`/`<url>` markup and XML escapes count too.
  messageLength: hoiioMessageLength,
  maxTagLength: 256,
  maxDigits: 255,
  record: true,
  monitor: true,
  // Hoiio's markup has no silence element.
  pause: false,
  audio: true,
  forcedHangup: true,
  gatherAttempts: 'provider',
  genders: Object.freeze(['male', 'female'] as const),
  // The TTS language list was never readable (contract §3.9): any tag is passed on and Hoiio judges it.
  languages: 'any',
  // Scripts written for Hoiio read its transaction reference as {{call.txn_ref}}.
  callFields: Object.freeze({ txn_ref: 'providerRef' as const }),
});

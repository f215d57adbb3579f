/**
 * What sets Twilio, Telnyx TeXML and SignalWire apart, as data: the one adapter
 * of the family reads this table wherever they differ (../shared/providers.md
 * §1, §3.1, §4, §5). Everything not here is the same TwiML on all three.
 */
export type TwimlProviderName = 'twilio' | 'telnyx' | 'signalwire';

/** How a provider signs its webhooks. */
export type SignatureScheme = 'twilio-hmac' | 'signalwire-hmac' | 'telnyx-ed25519';

export interface TwimlDialect {
  readonly name: TwimlProviderName;
  /** The product's name in messages and docs. */
  readonly title: string;
  readonly signature: SignatureScheme;
  /**
   * Whether verbs take a `method` attribute. Telnyx documents none on `<Gather>`
   * (the TeXML application's method is used), so it gets none anywhere and the
   * docs say to set the application to POST.
   */
  readonly methodAttribute: boolean;
  /**
   * Whether `<Gather actionOnEmptyResult="true">` is documented. Where it is not
   * (Telnyx: UNCONFIRMED), a gather with no input falls through to the next verb,
   * so the reply repeats the `<Gather>` once per attempt and ends with a
   * `<Redirect>` that reports no input.
   */
  readonly actionOnEmptyResult: boolean;
  /**
   * `<Record timeout>` (seconds of silence that end a recording), given the
   * recording's `maxLength`. Hoiio ends a recording only on `#` or its maximum;
   * Twilio needs a positive timeout (error 13611), so there it is the maximum
   * itself; on Telnyx 0 is "no silence detection", and anything else turns on a
   * billed transcription to find the silence.
   */
  readonly recordSilence: (maxLength: number) => number;
  /** REST: how an outbound call and a recording request are encoded (Telnyx: JSON; its call updates stay form-encoded). */
  readonly outboundBody: 'form' | 'json';
}

export const TWILIO: TwimlDialect = Object.freeze({
  name: 'twilio',
  title: 'Twilio',
  signature: 'twilio-hmac',
  methodAttribute: true,
  actionOnEmptyResult: true,
  recordSilence: (maxLength: number) => maxLength,
  outboundBody: 'form',
});

export const SIGNALWIRE: TwimlDialect = Object.freeze({
  name: 'signalwire',
  title: 'SignalWire',
  signature: 'signalwire-hmac',
  methodAttribute: true,
  actionOnEmptyResult: true,
  recordSilence: (maxLength: number) => maxLength,
  outboundBody: 'form',
});

export const TELNYX: TwimlDialect = Object.freeze({
  name: 'telnyx',
  title: 'Telnyx TeXML',
  signature: 'telnyx-ed25519',
  methodAttribute: false,
  actionOnEmptyResult: false,
  recordSilence: () => 0,
  outboundBody: 'json',
});

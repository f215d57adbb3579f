/**
 * The TwiML providers' REST API, over a keep-alive undici pool: what reply
 * mode still sends over REST (../shared/providers.md §5). An outbound call
 * (`Calls`, answered at the notify URL, ended at the status URL), a forced
 * hangup (the call updated with `Status=completed`), a goodbye said over a call
 * whose webhook is gone (updated with new TwiML), and the start of a call
 * recording for `monitor`. Every other block travels in a webhook's reply.
 */
import type { Pool } from 'undici';
import type { Block } from '../../engine/blocks.js';
import { ProviderError, ProviderErrorCode } from '../errors.js';
import type { BlockTarget, ProviderClient, SendResult } from '../provider.js';
import { RestErrorCode, restPool, restRequest, stringField } from '../rest-request.js';
import type { TwimlConfig } from './config.js';
import { hangupReply } from './render.js';

/** An outbound call rings this long; valid on all three (Telnyx takes 5–120, Twilio up to 600). */
const OUTBOUND_RING_SECONDS = 60;

export interface TwimlClientOptions {
  /** Where status callbacks go: `{public}/{provider}/status`, known once the server listens. */
  readonly statusUrl: () => string;
  readonly connections?: number;
}

export class TwimlClient implements ProviderClient {
  readonly name: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private account: string | undefined;

  constructor(
    private readonly config: TwimlConfig,
    private readonly options: TwimlClientOptions,
  ) {
    this.name = config.dialect.name;
    const root = new URL(config.apiRoot);
    this.basePath = root.pathname.replace(/\/+$/, '');
    this.account = config.account;
    this.pool = restPool(root.origin, options.connections);
  }

  /** Telnyx's account SID as an authenticated webhook named it, for when TELNYX_ACCOUNT_SID is not set. */
  learnAccount(account: string): void {
    if (this.account === undefined && account !== '') this.account = account;
  }

  private accountPath(): string {
    if (this.account === undefined) {
      throw new ProviderError(
        RestErrorCode.config,
        `${this.config.dialect.title}: the account SID is not known yet; set TELNYX_ACCOUNT_SID (or receive one call first)`,
        { retryable: false },
      );
    }
    const prefix = this.config.dialect.name === 'telnyx' ? '/texml' : '/2010-04-01';
    return `${this.basePath}${prefix}/Accounts/${encodeURIComponent(this.account)}`;
  }

  /** Twilio and SignalWire name resources with `.json`; Telnyx's call resource has no suffix. */
  private callPath(callSid: string, sub = ''): string {
    const call = `${this.accountPath()}/Calls/${encodeURIComponent(callSid)}`;
    if (sub !== '') return `${call}/${sub}.json`;
    return this.config.dialect.name === 'telnyx' ? call : `${call}.json`;
  }

  async send(block: Block, target: BlockTarget): Promise<SendResult> {
    if (block.kind === 'dial') return this.dial(block.to, block.callerId, target.notifyUrl);
    if (block.kind === 'hangup' && target.session !== undefined) {
      const update: Array<[string, string]> =
        block.force === true || block.message === undefined || block.message.length === 0
          ? [['Status', 'completed']]
          : // Said over a call whose webhook has already been answered (a call the engine had to give up).
            [[this.config.dialect.name === 'telnyx' ? 'Texml' : 'Twiml', hangupReply(block.message)]];
      await this.post(this.callPath(target.session), 'form', update, 'hangup');
      return {};
    }
    throw new ProviderError(RestErrorCode.unsupported, `${this.config.dialect.title}: a ${block.kind} block travels in a webhook reply, not over REST`, {
      retryable: false,
    });
  }

  /** Starts recording the rest of the call (`monitor`); the recording is kept in the provider's account. */
  async startRecording(callSid: string): Promise<void> {
    const json = this.config.dialect.outboundBody === 'json';
    await this.post(this.callPath(callSid, 'Recordings'), json ? 'json' : 'form', [['RecordingChannels', 'dual']], 'monitor');
  }

  private async dial(to: string, from: string | undefined, notifyUrl: string | undefined): Promise<SendResult> {
    const d = this.config.dialect;
    if (from === undefined || from === '') {
      throw new ProviderError(RestErrorCode.config, `${d.title} needs a From number for an outbound call: give "from" in the request`, { retryable: false });
    }
    const fields: Array<[string, string]> = [
      ['To', to],
      ['From', from],
      ['Url', notifyUrl ?? ''],
      [d.outboundBody === 'json' ? 'UrlMethod' : 'Method', 'POST'],
      ['StatusCallback', this.options.statusUrl()],
      ['StatusCallbackMethod', 'POST'],
      ['StatusCallbackEvent', 'completed'],
      ['Timeout', String(OUTBOUND_RING_SECONDS)],
    ];
    const answer = await this.post(`${this.accountPath()}/Calls${d.outboundBody === 'json' ? '' : '.json'}`, d.outboundBody, fields, 'dial');
    const sid = stringField(answer, 'sid') ?? stringField(answer, 'call_sid') ?? stringField(answer, 'CallSid');
    if (sid === undefined) {
      throw new ProviderError(ProviderErrorCode.badResponse, `${d.title} dial: accepted without a call SID`, { retryable: false });
    }
    return { session: sid };
  }

  private post(path: string, encoding: 'form' | 'json', fields: ReadonlyArray<readonly [string, string]>, what: string): Promise<unknown> {
    return restRequest(this.pool, {
      method: 'POST',
      path,
      headers: {
        authorization: this.config.authorization,
        accept: 'application/json',
        'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body:
        encoding === 'json'
          ? JSON.stringify(Object.fromEntries(fields))
          : fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
      timeoutMs: this.config.timeoutMs,
      what: `${this.config.dialect.title} ${what}`,
      detailFields: ['message', 'detail'],
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

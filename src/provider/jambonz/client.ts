/**
 * jambonz's REST API over a keep-alive undici pool: what reply mode still
 * sends over REST (../shared/providers.md §5). An outbound call (`POST
 * /v1/Accounts/{sid}/Calls`: its `call_hook` is the block URL the callee's
 * answer is reported to, its `call_status_hook` our status route) and a forced
 * hangup (`PUT …/Calls/{sid}` with `call_status: completed`). Every other
 * block travels in a hook's answer.
 */
import type { Pool } from 'undici';
import type { Block } from '../../engine/blocks.js';
import { ProviderError, ProviderErrorCode } from '../errors.js';
import type { BlockTarget, ProviderClient, SendResult } from '../provider.js';
import { RestErrorCode, restPool, restRequest, stringField } from '../rest-request.js';
import type { JambonzConfig } from './config.js';

/** An outbound call rings this long (jambonz's own default is 60 s too). */
const OUTBOUND_RING_SECONDS = 60;

export interface JambonzClientOptions {
  /** Where status changes go: `{public}/jambonz/status`, known once the server listens. */
  readonly statusUrl: () => string;
  readonly connections?: number;
}

export class JambonzClient implements ProviderClient {
  readonly name = 'jambonz';
  private readonly pool: Pool;
  private readonly accountPath: string;

  constructor(
    private readonly config: JambonzConfig,
    private readonly options: JambonzClientOptions,
  ) {
    const root = new URL(config.apiUrl);
    const base = root.pathname.replace(/\/+$/, '');
    // JAMBONZ_API_URL may be given with or without the API version.
    const versioned = /\/v1$/.test(base) ? base : `${base}/v1`;
    this.accountPath = `${versioned}/Accounts/${encodeURIComponent(config.accountSid)}`;
    this.pool = restPool(root.origin, options.connections);
  }

  async send(block: Block, target: BlockTarget): Promise<SendResult> {
    if (block.kind === 'dial') return this.dial(block.to, block.callerId, target.notifyUrl);
    if (block.kind === 'hangup' && target.session !== undefined) {
      if (block.force !== true && block.message !== undefined && block.message.length > 0) {
        // A goodbye cannot be said over REST (jambonz takes no verbs there). Reply mode sends one only for a
        // call it is giving up on or refusing, whose next hook is answered with a hangup anyway: ending it
        // now would cut off what that hook says.
        return {};
      }
      await this.request('PUT', `${this.accountPath}/Calls/${encodeURIComponent(target.session)}`, { call_status: 'completed' }, 'hangup');
      return {};
    }
    throw new ProviderError(RestErrorCode.unsupported, `jambonz: a ${block.kind} block travels in a hook's answer, not over REST`, { retryable: false });
  }

  private async dial(to: string, from: string | undefined, notifyUrl: string | undefined): Promise<SendResult> {
    if (from === undefined || from === '') {
      throw new ProviderError(RestErrorCode.config, 'jambonz needs a From number for an outbound call: give "from" in the request', { retryable: false });
    }
    const body = {
      from,
      to: { type: 'phone', number: to },
      // Absolute URLs, and a status hook, are required whenever call_hook is given (§5).
      call_hook: { url: notifyUrl ?? '', method: 'POST' },
      call_status_hook: { url: this.options.statusUrl(), method: 'POST' },
      timeout: OUTBOUND_RING_SECONDS,
    };
    const answer = await this.request('POST', `${this.accountPath}/Calls`, body, 'dial');
    const sid = stringField(answer, 'sid') ?? stringField(answer, 'call_sid');
    if (sid === undefined) {
      throw new ProviderError(ProviderErrorCode.badResponse, 'jambonz dial: accepted without a call sid', { retryable: false });
    }
    return { session: sid };
  }

  private request(method: 'POST' | 'PUT', path: string, body: unknown, what: string): Promise<unknown> {
    return restRequest(this.pool, {
      method,
      path,
      headers: { authorization: `Bearer ${this.config.apiKey}`, accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.config.timeoutMs,
      what: `jambonz ${what}`,
      detailFields: ['msg', 'message'],
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

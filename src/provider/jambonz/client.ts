/**
 * jambonz's REST API over a keep-alive undici pool: what reply mode still
 * sends over REST (../shared/providers.md §5). An outbound call (`POST
 * /v1/Accounts/{sid}/Calls`: its `call_hook` is the block URL the callee's
 * answer is reported to, its `call_status_hook` our status route) and a forced
 * hangup (`PUT …/Calls/{sid}` with `call_status: completed`). Every other
 * block travels in a hook's answer.
 */
import { Pool } from 'undici';
import type { Block } from '../../engine/blocks.js';
import { ProviderError, ProviderErrorCode } from '../errors.js';
import type { BlockTarget, ProviderClient, SendResult } from '../provider.js';
import { transportError } from '../transport-error.js';
import type { JambonzConfig } from './config.js';

/** Stable codes of this client's failures, beside the shared transport codes. */
export const JambonzErrorCode = {
  /** 4xx other than 404 and 429: jambonz refused the request as made. */
  refused: 'E_PROVIDER_REFUSED',
  /** 404: the call (or account) is not there; nothing more can be sent to it. */
  notFound: 'E_PROVIDER_NOT_FOUND',
  rateLimited: 'E_PROVIDER_RATE_LIMITED',
  serverError: 'E_PROVIDER_SERVER_ERROR',
  /** The block is one reply mode never sends over REST. */
  unsupported: 'E_PROVIDER_UNSUPPORTED',
  /** Something the request needs was not given (a From number). */
  config: 'E_PROVIDER_CONFIG',
} as const;

const MAX_RESPONSE_BYTES = 64 * 1024;
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
    this.pool = new Pool(root.origin, {
      connections: options.connections ?? 32,
      keepAliveTimeout: 30_000,
      connect: { timeout: 5_000 },
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
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
    throw new ProviderError(JambonzErrorCode.unsupported, `jambonz: a ${block.kind} block travels in a hook's answer, not over REST`, { retryable: false });
  }

  private async dial(to: string, from: string | undefined, notifyUrl: string | undefined): Promise<SendResult> {
    if (from === undefined || from === '') {
      throw new ProviderError(JambonzErrorCode.config, 'jambonz needs a From number for an outbound call: give "from" in the request', { retryable: false });
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

  private async request(method: 'POST' | 'PUT', path: string, body: unknown, what: string): Promise<unknown> {
    let statusCode: number;
    let text: string;
    try {
      const res = await this.pool.request({
        path,
        method,
        headers: { authorization: `Bearer ${this.config.apiKey}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: this.config.timeoutMs,
        bodyTimeout: this.config.timeoutMs,
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw transportError(err, `jambonz ${what}`, MAX_RESPONSE_BYTES);
    }
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = {};
    }
    if (statusCode >= 200 && statusCode < 300) return parsed;
    const detail = stringField(parsed, 'msg') ?? stringField(parsed, 'message') ?? text.slice(0, 200);
    const message = `jambonz ${what}: HTTP ${statusCode}${detail !== '' ? ` (${detail})` : ''}`;
    if (statusCode === 404) throw new ProviderError(JambonzErrorCode.notFound, message, { retryable: false, sessionGone: true, httpStatus: statusCode });
    // A rate-limited request was not carried out, so it may be sent again.
    if (statusCode === 429) throw new ProviderError(JambonzErrorCode.rateLimited, message, { retryable: true, httpStatus: statusCode });
    if (statusCode >= 500) throw new ProviderError(JambonzErrorCode.serverError, message, { retryable: false, httpStatus: statusCode });
    throw new ProviderError(JambonzErrorCode.refused, message, { retryable: false, httpStatus: statusCode });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(name in value)) return undefined;
  const v = (value as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

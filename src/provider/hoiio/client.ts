import { Pool } from 'undici';
import type { Block } from '../../engine/blocks.js';
import { ProviderError, ProviderErrorCode } from '../errors.js';
import { transportError } from '../transport-error.js';
import type { BlockTarget, ProviderClient, SendResult } from '../provider.js';
import { encodeForm, hoiioParams, HOIIO_PATHS } from './params.js';
import { HOIIO_OK, HOIIO_RETRYABLE, HOIIO_SESSION_BUSY, HOIIO_SESSION_GONE } from './status.js';

export interface HoiioClientOptions {
  /** API base, e.g. `https://secure.hoiio.com/open/`; block paths are appended. */
  readonly baseUrl: string;
  readonly appId: string;
  readonly accessToken: string;
  /** Per-request limit for headers and for the body, each. */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Keep-alive connections to the provider. */
  readonly connections?: number;
}

/** Largest response body we read; Hoiio answers are a few dozen bytes of JSON. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Hoiio's IVR REST API over a keep-alive undici pool. Success or failure is
 * decided on the JSON `status` field, never on the HTTP code (the SDKs disagree
 * about codes; all agree on `status`).
 */
export class HoiioClient implements ProviderClient {
  readonly name = 'hoiio';
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly credentials: string;
  private readonly timeoutMs: number;

  constructor(options: HoiioClientOptions) {
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pool = new Pool(base.origin, {
      connections: options.connections ?? 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      // undici enforces it while it parses (UND_ERR_RES_EXCEEDED_MAX_SIZE), so the body can be read with `text()`.
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
    this.credentials = encodeForm([
      ['app_id', options.appId],
      ['access_token', options.accessToken],
    ]);
  }

  async send(block: Block, target: BlockTarget): Promise<SendResult> {
    const body = encodeForm(hoiioParams(block, target), this.credentials);
    const path = this.basePath + HOIIO_PATHS[block.kind];
    let statusCode: number;
    let text: string;
    try {
      const res = await this.pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = res.statusCode;
      // undici's own consumer: cheaper per request than a stream reader (data events or `for await`).
      text = await res.body.text();
    } catch (err) {
      throw transportError(err, `Hoiio ${block.kind}`, MAX_RESPONSE_BYTES);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProviderError(
        ProviderErrorCode.badResponse,
        `Hoiio ${block.kind}: HTTP ${statusCode} with a body that is not JSON`,
        { retryable: false, httpStatus: statusCode },
      );
    }
    const status = typeof parsed === 'object' && parsed !== null && 'status' in parsed ? parsed.status : undefined;
    if (typeof status !== 'string') {
      throw new ProviderError(ProviderErrorCode.badResponse, `Hoiio ${block.kind}: HTTP ${statusCode}, no status in the answer`, {
        retryable: false,
        httpStatus: statusCode,
      });
    }
    if (status !== HOIIO_OK) {
      throw new ProviderError(status, `Hoiio ${block.kind} refused: ${status}`, {
        retryable: HOIIO_RETRYABLE.has(status),
        sessionGone: HOIIO_SESSION_GONE.has(status),
        sessionBusy: status === HOIIO_SESSION_BUSY,
        httpStatus: statusCode,
      });
    }
    if (block.kind !== 'dial') return {};
    const obj = parsed as Record<string, unknown>;
    const session = obj.session;
    const txnRef = obj.txn_ref;
    if (typeof session !== 'string' || session === '') {
      throw new ProviderError(ProviderErrorCode.badResponse, 'Hoiio dial: success without a session', {
        retryable: false,
        httpStatus: statusCode,
      });
    }
    return { session, providerRef: typeof txnRef === 'string' ? txnRef : '' };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

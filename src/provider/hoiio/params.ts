import type { Block } from '../../engine/blocks.js';
import type { BlockTarget } from '../provider.js';
import { hoiioMsg } from './render.js';

/** Hoiio's endpoint path (relative to the API base URL) for each block. */
export const HOIIO_PATHS: Readonly<Record<Block['kind'], string>> = {
  dial: 'ivr/start/dial',
  play: 'ivr/middle/play',
  gather: 'ivr/middle/gather',
  record: 'ivr/middle/record',
  monitor: 'ivr/middle/monitor',
  transfer: 'ivr/end/transfer',
  hangup: 'ivr/end/hangup',
};

/**
 * The form fields for a block, in Hoiio's names. Only set fields are included:
 * Hoiio's SDKs leave empty values out, and whether the service accepted empty
 * strings is not known.
 */
export function hoiioParams(block: Block, target: BlockTarget): Array<[string, string]> {
  const p: Array<[string, string]> = [];
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) p.push([name, String(value)]);
  };
  if (block.kind !== 'dial') add('session', target.session);
  switch (block.kind) {
    case 'dial':
      add('dest', block.to);
      add('caller_id', block.callerId);
      add('max_duration', block.maxDuration);
      break;
    case 'play':
      add('msg', hoiioMsg(block.message));
      break;
    case 'gather':
      add('msg', hoiioMsg(block.prompt));
      add('max_digits', block.maxDigits);
      add('timeout', block.timeout);
      add('attempts', block.attempts);
      break;
    case 'record':
      add('msg', hoiioMsg(block.prompt));
      add('max_duration', block.maxDuration);
      break;
    case 'monitor':
      add('msg', hoiioMsg(block.message));
      break;
    case 'transfer':
      add('dest', block.to);
      add('msg', hoiioMsg(block.message));
      add('caller_id', block.callerId);
      add('on_failure', block.onFailure);
      break;
    case 'hangup':
      // Hoiio refuses msg together with force.
      if (block.force === true) add('force', 'enabled');
      else add('msg', hoiioMsg(block.message));
      break;
  }
  add('tag', block.tag);
  add('notify_url', target.notifyUrl);
  return p;
}

/** application/x-www-form-urlencoded, UTF-8. */
export function encodeForm(fields: ReadonlyArray<readonly [string, string]>, prefix = ''): string {
  let out = prefix;
  for (const [k, v] of fields) {
    if (out.length > 0) out += '&';
    out += `${k}=${encodeURIComponent(v)}`;
  }
  return out;
}

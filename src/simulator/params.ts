/**
 * Request parameter rules of the Hoiio IVR API (contract §3): which parameters each block
 * takes and which error `status` a bad value earns. Pure functions; session state is checked
 * elsewhere (api.ts).
 *
 * An empty value counts as absent, since clients send only the parameters that are set and
 * a form field `x=` is what an unset value looks like when one is sent anyway.
 */
import { isE164 } from '../util/e164.js';
import { isHttpUrl } from '../util/http-url.js';
import { checkMsg } from './markup.js';
import type { BlockName } from './types.js';

export type Params = Record<string, string>;

export const BLOCK_PATHS: Readonly<Record<string, BlockName>> = {
  'ivr/start/dial': 'dial',
  'ivr/middle/play': 'play',
  'ivr/middle/gather': 'gather',
  'ivr/middle/record': 'record',
  'ivr/middle/monitor': 'monitor',
  'ivr/middle/hold': 'hold',
  'ivr/middle/unhold': 'unhold',
  'ivr/end/transfer': 'transfer',
  'ivr/end/hangup': 'hangup',
};

export const TAG_MAX_LENGTH = 256;
export const NOTIFY_URL_MAX_LENGTH = 4000;
export const ROOM_ID = /^[A-Za-z0-9._]{0,32}$/;
const UINT = /^\d{1,9}$/;

/** Defaults from the PHP SDK (contract §3.3, §3.4); Hoiio's own are unknown. */
export const GATHER_DEFAULT_TIMEOUT = 15;
export const GATHER_DEFAULT_ATTEMPTS = 1;
export const RECORD_DEFAULT_MAX_DURATION = 120;

export function get(p: Params, key: string): string | undefined {
  const v = p[key];
  return v === undefined || v === '' ? undefined : v;
}

/** `room:<id>` → the id (possibly empty: create a room); anything else → undefined. */
export function roomOf(dest: string): string | undefined {
  return dest.startsWith('room:') ? dest.slice(5) : undefined;
}

export function isNotifyUrl(value: string): boolean {
  return value.length <= NOTIFY_URL_MAX_LENGTH && isHttpUrl(value);
}

/** Missing app_id/access_token first, then wrong ones (Hoiio's documented order of checks is unknown). */
export function checkCredentials(p: Params, appId: string, accessToken: string): string | undefined {
  const id = get(p, 'app_id');
  const token = get(p, 'access_token');
  if (id === undefined) return 'error_app_id_param_missing';
  if (token === undefined) return 'error_access_token_param_missing';
  if (id !== appId) return 'error_invalid_app_id';
  if (token !== accessToken) return 'error_invalid_access_token';
  return undefined;
}

function uint(p: Params, key: string): number | undefined | 'bad' {
  const v = get(p, key);
  if (v === undefined) return undefined;
  return UINT.test(v) ? Number(v) : 'bad';
}

function positive(p: Params, key: string): boolean {
  const n = uint(p, key);
  return n === undefined || (n !== 'bad' && n > 0);
}

/** Checks the parameters of `block` other than credentials and session; undefined = valid. */
export function checkBlockParams(block: BlockName, p: Params): string | undefined {
  const tag = get(p, 'tag');
  if (tag !== undefined && [...tag].length > TAG_MAX_LENGTH) return 'error_tag_invalid_length';

  const notifyUrl = get(p, 'notify_url');
  const needsNotifyUrl = block === 'gather' || block === 'record' || block === 'monitor';
  if (notifyUrl === undefined && needsNotifyUrl) return 'error_notify_url_param_missing';
  if (notifyUrl !== undefined && block !== 'hold' && !isNotifyUrl(notifyUrl)) {
    return 'error_invalid_notify_url';
  }

  const msg = get(p, 'msg');
  if (msg !== undefined && block !== 'unhold') {
    const err = checkMsg(msg);
    if (err) return err;
  }

  switch (block) {
    case 'dial': {
      const dest = get(p, 'dest');
      if (dest === undefined) return 'error_dest_param_missing';
      if (!isE164(dest)) return 'error_dest_invalid';
      const callerId = get(p, 'caller_id');
      if (callerId !== undefined && callerId !== 'private' && !isE164(callerId)) {
        return 'error_caller_id_invalid';
      }
      if (!positive(p, 'max_duration')) return 'error_invalid_max_duration';
      return undefined;
    }
    case 'gather': {
      const maxDigits = uint(p, 'max_digits');
      if (maxDigits === 'bad' || (maxDigits !== undefined && maxDigits > 255)) {
        return 'error_invalid_max_digits';
      }
      if (!positive(p, 'timeout')) return 'error_invalid_timeout';
      if (!positive(p, 'attempts')) return 'error_invalid_attempts';
      return undefined;
    }
    case 'record':
      return positive(p, 'max_duration') ? undefined : 'error_invalid_max_duration';
    case 'monitor': {
      const monitorUrl = get(p, 'monitor_notify_url');
      if (monitorUrl !== undefined && !isNotifyUrl(monitorUrl)) return 'error_invalid_notify_url';
      return undefined;
    }
    case 'transfer': {
      const dest = get(p, 'dest');
      if (dest === undefined) return 'error_dest_param_missing';
      const room = roomOf(dest);
      if (room !== undefined) {
        if (!ROOM_ID.test(room)) return 'error_invalid_room';
      } else if (!isE164(dest)) {
        return 'error_dest_invalid';
      }
      const callerId = get(p, 'caller_id');
      if (callerId !== undefined && callerId !== 'private' && !isE164(callerId)) {
        return 'error_caller_id_invalid';
      }
      const onFailure = get(p, 'on_failure');
      if (onFailure !== undefined && onFailure !== 'hangup' && onFailure !== 'continue') {
        return 'error_on_failure_invalid';
      }
      return undefined;
    }
    case 'hangup': {
      const force = get(p, 'force');
      if (force !== undefined && force !== 'enabled' && force !== 'disabled') return 'error_invalid_force';
      // The contract only says msg "must not be sent" with force; the code is ours.
      if (force === 'enabled' && msg !== undefined) return 'error_msg_not_allowed_with_force';
      return undefined;
    }
    case 'play':
    case 'hold':
    case 'unhold':
      return undefined;
  }
}

export interface GatherSettings {
  readonly maxDigits: number;
  readonly timeout: number;
  readonly attempts: number;
}

/** Only for params that passed checkBlockParams. */
export function gatherSettings(p: Params): GatherSettings {
  const num = (key: string, dflt: number): number => {
    const v = get(p, key);
    return v === undefined ? dflt : Number(v);
  };
  return {
    maxDigits: num('max_digits', 0),
    timeout: num('timeout', GATHER_DEFAULT_TIMEOUT),
    attempts: num('attempts', GATHER_DEFAULT_ATTEMPTS),
  };
}

export function recordMaxDuration(p: Params): number {
  const v = get(p, 'max_duration');
  return v === undefined ? RECORD_DEFAULT_MAX_DURATION : Number(v);
}

/** Hoiio keeps the keys up to (not including) `#`; max_digits > 0 caps the count. */
export function collectDigits(pressed: string, maxDigits: number): string {
  const hash = pressed.indexOf('#');
  const before = hash < 0 ? pressed : pressed.slice(0, hash);
  return maxDigits > 0 ? before.slice(0, maxDigits) : before;
}

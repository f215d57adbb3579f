/**
 * Reply mode on a store that writes at once (memory): a webhook is applied in one
 * synchronous pass when the call's lock is free and nothing is queued for it
 * (docs/performance.md, "The fifth look"). These pin what that pass must keep of
 * the queued path: it takes no queued lock in the common case, a call whose lock
 * another holder has waits its turn and is applied once, and a failure inside
 * the pass is logged and ends the call politely without taking the server down.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log/logger.js';
import { silentLogger } from '../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../src/provider/registry.js';
import type { RunnerHooks } from '../../src/runtime/hooks.js';
import { loadScripts } from '../../src/script-files/load.js';
import type { Script } from '../../src/script/model.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Lease, LockOptions } from '../../src/store/session-store.js';
import { captureLogger } from '../helpers/dev-server.js';
import { loopbackConfig } from '../helpers/server-config.js';
import { continuationUrl, patchImmediate, postTwilio, PUBLIC_URL, TWILIO_ENV } from '../helpers/twilio-webhooks.js';

const ENV = TWILIO_ENV;

/** A memory store that counts the locks taken with a promise (the queued path) and at once. */
class LockCountingStore extends MemoryStore {
  queuedLocks = 0;
  immediateLocks = 0;
  constructor() {
    super();
    patchImmediate(this, (base) => ({
      tryLock: (id) => {
        this.immediateLocks += 1;
        return base.tryLock(id);
      },
    }));
  }
  override lock(id: string, options?: LockOptions): Promise<Lease> {
    this.queuedLocks += 1;
    return super.lock(id, options);
  }
}

let dir: string;
let scripts: Script[];
const servers: RunningServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callscript-reply-now-'));
  writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8'));
  scripts = (await loadScripts([dir], { provider: capabilitiesOf('twilio') })).scripts;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function twilioServer(store: MemoryStore, o: { log?: Logger; hooks?: RunnerHooks } = {}): Promise<RunningServer> {
  // Nothing listens at the REST URL: the monitor's recording and a forced hangup fail, are logged, and the call goes on.
  const adapter = adapterFromEnv('twilio', { env: (name) => ENV[name], apiUrl: 'http://127.0.0.1:9' });
  if (adapter === undefined) throw new Error('no twilio adapter');
  const server = await startServer({
    config: loopbackConfig({ publicUrl: PUBLIC_URL }),
    scripts,
    log: o.log ?? silentLogger(),
    adapter,
    store,
    env: (name) => ENV[name],
    ...(o.hooks !== undefined ? { hooks: o.hooks } : {}),
  });
  servers.push(server);
  return server;
}

const post = postTwilio;
const action = continuationUrl;

/** The call id in a step URL (`/twilio/step/<id>/<seq>`). */
function callIdOf(url: string): string {
  const id = /\/twilio\/step\/([^/]+)\//.exec(url)?.[1];
  if (id === undefined) throw new Error(`not a step URL: ${url}`);
  return id;
}

const caller = (sid: string): Record<string, string> => ({ CallSid: sid, From: '+6591234567', To: '+6560000001', AccountSid: ENV.TWILIO_ACCOUNT_SID ?? '' });

describe('reply mode on the memory store: webhooks applied in one pass', () => {
  it('a call from ringing to its status callback takes every lock at once and none through the queue', async () => {
    const store = new LockCountingStore();
    const server = await twilioServer(store);
    // The first call on a script version stores the version first: through the queue.
    await post(server, `${PUBLIC_URL}/twilio/voice`, { ...caller('CA-now-0'), CallStatus: 'ringing' });
    expect(store.queuedLocks).toBe(1);
    store.queuedLocks = 0;
    store.immediateLocks = 0;
    const call = caller('CA-now-1');
    const welcome = await post(server, `${PUBLIC_URL}/twilio/voice`, { ...call, CallStatus: 'ringing' });
    expect(welcome).toContain('Welcome to Acme');
    const menu = await post(server, action(welcome, 'Redirect'), { ...call, CallStatus: 'in-progress' });
    expect(menu).toContain('For sales press 1');
    const invalid = await post(server, action(menu, 'Gather'), { ...call, CallStatus: 'in-progress', Digits: '7' });
    expect(invalid).toContain('Sorry, that is not a valid choice.');
    // A retry of the same webhook: the same answer, the call not advanced.
    expect(await post(server, action(menu, 'Gather'), { ...call, CallStatus: 'in-progress', Digits: '7' })).toBe(invalid);
    await post(server, `${PUBLIC_URL}/twilio/status`, { ...call, CallStatus: 'completed' });
    const state = await store.get(callIdOf(action(welcome, 'Redirect')));
    expect(state?.status).toBe('ended');
    expect(state?.outcome).toBe('caller-hangup');
    // An ended call sends nothing more: its last block is not kept while the call is retained.
    expect(state?.outbox).toBeUndefined();
    expect(store.queuedLocks).toBe(0);
    // The ringing, three step webhooks and the status callback.
    expect(store.immediateLocks).toBe(5);
  });

  it('a webhook for a call whose lock another holder has waits its turn, then is applied once', async () => {
    const store = new LockCountingStore();
    const server = await twilioServer(store);
    const call = caller('CA-now-2');
    const welcome = await post(server, `${PUBLIC_URL}/twilio/voice`, { ...call, CallStatus: 'ringing' });
    const next = action(welcome, 'Redirect');
    const id = callIdOf(next);
    const before = await store.get(id);
    const held = await store.lock(id);
    store.queuedLocks = 0;
    let answered = false;
    const menu = post(server, next, { ...call, CallStatus: 'in-progress' }).then((xml) => {
      answered = true;
      return xml;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect((await store.get(id))?.seq).toBe(before?.seq);
    await held.release();
    expect(await menu).toContain('For sales press 1');
    // The queued path took the lock once the holder let go; the retry is answered in one pass, and changes nothing.
    expect(store.queuedLocks).toBe(1);
    const applied = await store.get(id);
    expect(await post(server, next, { ...call, CallStatus: 'in-progress' })).toBe(await menu);
    expect((await store.get(id))?.seq).toBe(applied?.seq);
  });

  it('a failure inside the pass is logged and ends the call politely; the next call runs as usual', async () => {
    const { log, lines } = captureLogger();
    let armed = false;
    const store = new MemoryStore();
    const server = await twilioServer(store, {
      log,
      hooks: {
        blockSent: () => {
          if (armed) throw new Error('a hook failed');
        },
      },
    });
    const call = caller('CA-now-3');
    const welcome = await post(server, `${PUBLIC_URL}/twilio/voice`, { ...call, CallStatus: 'ringing' });
    armed = true;
    // The step was committed before the failure: the webhook is answered (a hangup), not failed.
    expect(await post(server, action(welcome, 'Redirect'), { ...call, CallStatus: 'in-progress' })).toContain('<Hangup/>');
    armed = false;
    await server.runner.drain();
    const state = await store.get(callIdOf(action(welcome, 'Redirect')));
    expect(state?.status).toBe('ended');
    expect(state?.outcome).toBe('error');
    const messages = lines().map((l) => l.msg);
    expect(messages).toContain('call.internal_error');
    expect(messages).toContain('call.orphaned');

    const other = caller('CA-now-4');
    const again = await post(server, `${PUBLIC_URL}/twilio/voice`, { ...other, CallStatus: 'ringing' });
    expect(await post(server, action(again, 'Redirect'), { ...other, CallStatus: 'in-progress' })).toContain('For sales press 1');
  });
});

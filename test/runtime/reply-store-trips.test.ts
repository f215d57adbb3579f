/**
 * Reply mode's store round trips per webhook (issue 13): a webhook that reports
 * a block's end reads the call once and writes it once — the step and the block
 * the provider's next webhook collects (the outbox) go in one write, and the
 * answer is the state that work left, not a second read. On SQLite and Redis
 * every trip is a statement or a network round trip, so this is pinned here
 * rather than left to the benchmark.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallState } from '../../src/engine/state.js';
import { silentLogger } from '../../src/log/logger.js';
import { adapterFromEnv, capabilitiesOf } from '../../src/provider/registry.js';
import { loadScripts } from '../../src/script-files/load.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { PutOptions } from '../../src/store/session-store.js';
import { loopbackConfig } from '../helpers/server-config.js';
import { continuationUrl, patchImmediate, postTwilio, PUBLIC_URL, TWILIO_ENV } from '../helpers/twilio-webhooks.js';

const ENV = TWILIO_ENV;

/** A memory store that counts its reads and writes of calls, with and without promises. */
class CountingStore extends MemoryStore {
  gets = 0;
  puts: CallState[] = [];
  constructor() {
    super();
    patchImmediate(this, (base) => ({
      get: (id) => {
        this.gets += 1;
        return base.get(id);
      },
      put: (state, options) => {
        this.puts.push(state);
        base.put(state, options);
      },
    }));
  }
  override async get(id: string): Promise<CallState | undefined> {
    this.gets += 1;
    return super.get(id);
  }
  override async put(state: CallState, options?: PutOptions): Promise<void> {
    this.puts.push(state);
    return super.put(state, options);
  }
  reset(): void {
    this.gets = 0;
    this.puts = [];
  }
}

let server: RunningServer;
let store: CountingStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callscript-trips-'));
  writeFileSync(join(dir, 'acme.yaml'), readFileSync('examples/acme.yaml', 'utf8'));
  const loaded = await loadScripts([dir], { provider: capabilitiesOf('twilio') });
  // Nothing listens at the REST URL: the monitor's recording fails, is logged, and the call goes on.
  const adapter = adapterFromEnv('twilio', { env: (name) => ENV[name], apiUrl: 'http://127.0.0.1:9' });
  if (adapter === undefined) throw new Error('no twilio adapter');
  store = new CountingStore();
  server = await startServer({
    config: loopbackConfig({ publicUrl: PUBLIC_URL }),
    scripts: loaded.scripts,
    log: silentLogger(),
    adapter,
    store,
    env: (name) => ENV[name],
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, fields: Record<string, string>): Promise<string> => postTwilio(server, url, fields);
const action = continuationUrl;

describe('reply mode: store round trips per webhook', () => {
  it('a webhook that ends a block reads the call once and writes the step with its outbox in one write; a retry only reads', async () => {
    const call = { CallSid: 'CA-trips-1', From: '+6591234567', To: '+6560000001', AccountSid: ENV.TWILIO_ACCOUNT_SID ?? '' };
    const welcome = await post(`${PUBLIC_URL}/twilio/voice`, { ...call, CallStatus: 'ringing' });
    expect(welcome).toContain('Welcome to Acme');

    store.reset();
    const menu = await post(action(welcome, 'Redirect'), { ...call, CallStatus: 'in-progress' });
    expect(menu).toContain('For sales press 1');
    expect(store.gets).toBe(1);
    expect(store.puts).toHaveLength(1);
    // The one write carries the step and the block the next webhook collects.
    expect(store.puts[0]?.outbox?.block.kind).toBe('gather');
    expect(store.puts[0]?.pending).toBe('gather');

    // The provider retries the same webhook: the same answer, nothing written.
    store.reset();
    expect(await post(action(welcome, 'Redirect'), { ...call, CallStatus: 'in-progress' })).toBe(menu);
    expect(store.puts).toHaveLength(0);

    store.reset();
    const invalid = await post(action(menu, 'Gather'), { ...call, CallStatus: 'in-progress', Digits: '7' });
    expect(invalid).toContain('Sorry, that is not a valid choice.');
    expect(store.gets).toBe(1);
    expect(store.puts).toHaveLength(1);
    expect(store.puts[0]?.outbox?.seq).toBeGreaterThan(0);
  });
});

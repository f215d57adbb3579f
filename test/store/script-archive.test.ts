import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ScriptArchive } from '../../src/store/script-archive.js';
import { mustCompile } from '../helpers/compile.js';

const SOURCE = 'name: archived\nsteps:\n  bye:\n    hangup: "Goodbye from the archive."\n';

describe('ScriptArchive', () => {
  it('keeps a version in the store and compiles it back, identical, in another process', async () => {
    const store = new MemoryStore();
    const script = mustCompile(SOURCE, 'scripts/archived.yaml');
    await new ScriptArchive(store).keep(script);
    const restored = await new ScriptArchive(store).restore('archived', script.version);
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    expect(restored.script.version).toBe(script.version);
    expect(restored.script.source).toBe(SOURCE);
    expect(restored.script.file).toBe('scripts/archived.yaml');
    expect(Object.keys(restored.script.steps)).toEqual(['bye']);
  });

  it('says why a version cannot be restored', async () => {
    const store = new MemoryStore();
    const archive = new ScriptArchive(store);
    expect(await archive.restore('archived', '0000000000000000')).toEqual({ ok: false, reason: 'not-stored' });
    await store.putScript({ name: 'archived', version: '1111111111111111', source: SOURCE });
    expect(await archive.restore('archived', '1111111111111111')).toEqual({ ok: false, reason: 'version-mismatch' });
    await store.putScript({ name: 'broken', version: '2222222222222222', source: 'steps: [' });
    expect(await archive.restore('broken', '2222222222222222')).toEqual({ ok: false, reason: 'does-not-compile' });
  });

  it('stores a version once per refresh period, not once per call', async () => {
    const store = new MemoryStore();
    let puts = 0;
    const original = store.putScript.bind(store);
    store.putScript = async (s) => {
      puts += 1;
      await original(s);
    };
    let now = 1_000_000;
    const archive = new ScriptArchive(store, () => now);
    const script = mustCompile(SOURCE);
    for (let i = 0; i < 50; i++) await archive.keep(script);
    expect(puts).toBe(1);
    now += 61_000;
    await archive.keep(script);
    expect(puts).toBe(2);
  });
});

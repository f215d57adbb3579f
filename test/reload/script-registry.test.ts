/** ScriptRegistry: current versions for new calls, pinned versions held while calls run on them. */
import { describe, expect, test } from 'vitest';
import { ScriptRegistry } from '../../src/runtime/script-registry.js';
import { mustCompile } from '../helpers/compile.js';

const v1 = mustCompile('name: main\nnumbers: ["+6560000001"]\nsteps:\n  a: { hangup: One. }\n', 'main.yaml');
const v2 = mustCompile('name: main\nnumbers: ["+6560000002"]\nsteps:\n  a: { hangup: Two. }\n', 'main.yaml');
const other = mustCompile('name: other\nsteps:\n  a: { hangup: Other. }\n', 'other.yaml');

describe('ScriptRegistry', () => {
  test('replace makes new versions current and routes numbers to them', () => {
    const r = new ScriptRegistry([v1, other]);
    r.replace([v2, other]);
    expect(r.current('main')).toBe(v2);
    expect(r.forNumber('+6560000002')).toBe(v2);
    expect(r.forNumber('+6560000001')).toBeUndefined();
  });

  test('an old version is held while a call runs on it, and released when its last call ends', () => {
    const r = new ScriptRegistry([v1]);
    r.track('c1', v1);
    r.track('c2', v1);
    r.replace([v2]);
    expect(r.pinned('main', v1.version)).toBe(v1);
    expect(r.callsOn('main', v1.version)).toBe(2);
    expect(r.held().map((h) => [h.script.version, h.current, h.calls])).toEqual([
      [v1.version, false, 2],
      [v2.version, true, 0],
    ]);
    r.untrack('c1');
    expect(r.pinned('main', v1.version)).toBe(v1);
    r.untrack('c2');
    expect(r.pinned('main', v1.version)).toBeUndefined();
    expect(r.pinned('main', v2.version)).toBe(v2);
  });

  test('a version nobody runs on is released at once by replace; a removed script too, once idle', () => {
    const r = new ScriptRegistry([v1, other]);
    r.track('c1', other);
    r.replace([v2]);
    expect(r.pinned('main', v1.version)).toBeUndefined();
    expect(r.current('other')).toBeUndefined();
    expect(r.pinned('other', other.version)).toBe(other);
    r.untrack('c1');
    expect(r.pinned('other', other.version)).toBeUndefined();
  });

  test('track re-adds a version released between lookup and start, and is idempotent; untrack of unknown calls is a no-op', () => {
    const r = new ScriptRegistry([v1]);
    r.replace([v2]);
    expect(r.pinned('main', v1.version)).toBeUndefined();
    r.track('late', v1);
    r.track('late', v1);
    expect(r.callsOn('main', v1.version)).toBe(1);
    r.untrack('nobody');
    r.untrack('late');
    r.untrack('late');
    expect(r.pinned('main', v1.version)).toBeUndefined();
  });

  test('a call tracked on another version moves its count there, and the version it left is released once idle', () => {
    const r = new ScriptRegistry([v1]);
    r.track('c1', v1);
    r.track('c2', v1);
    r.replace([v2]);
    r.track('c1', v2);
    expect(r.callsOn('main', v1.version)).toBe(1);
    expect(r.callsOn('main', v2.version)).toBe(1);
    r.track('c2', v2);
    expect(r.pinned('main', v1.version)).toBeUndefined();
    expect(r.callsOn('main', v2.version)).toBe(2);
    r.untrack('c1');
    r.untrack('c2');
    expect(r.held().map((h) => [h.script.version, h.calls])).toEqual([[v2.version, 0]]);
  });

  test('pinned answers from its last lookup only while that version is still held', () => {
    const r = new ScriptRegistry([v1]);
    r.track('c1', v1);
    r.replace([v2]);
    expect(r.pinned('main', v1.version)).toBe(v1);
    r.untrack('c1');
    expect(r.pinned('main', v1.version)).toBeUndefined();
    // The same version compiled again (restored from the store's archive): the new object, not the released one.
    const again = mustCompile('name: main\nnumbers: ["+6560000001"]\nsteps:\n  a: { hangup: One. }\n', 'main.yaml');
    expect(again.version).toBe(v1.version);
    r.remember(again);
    expect(r.pinned('main', v1.version)).toBe(again);
    expect(r.pinned('other', v1.version)).toBeUndefined();
  });

  test('a remembered version (restored from a store) stays until a replace finds no call on it', () => {
    const r = new ScriptRegistry([v2]);
    r.remember(v1);
    expect(r.pinned('main', v1.version)).toBe(v1);
    r.track('resumed', v1);
    r.replace([v2]);
    expect(r.pinned('main', v1.version)).toBe(v1);
    r.untrack('resumed');
    expect(r.pinned('main', v1.version)).toBeUndefined();
  });
});

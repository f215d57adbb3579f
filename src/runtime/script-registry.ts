import type { Script } from '../script/model.js';

/** A version the registry holds, with the calls of this process running on it. */
export interface HeldVersion {
  readonly script: Script;
  /** True for the version new calls get. */
  readonly current: boolean;
  readonly calls: number;
}

interface Entry {
  readonly script: Script;
  /** `name@version`, one string shared by every call on the version (a parked call should not carry its own copy). */
  readonly key: string;
  /**
   * Calls of this process on the version: a count, as `calls` (id → entry) already says which.
   * A set of ids added to and deleted from per call rebuilt its table in the old generation as
   * calls came and went (docs/performance.md, "The eleventh look").
   */
  calls: number;
  /** Set once the entry leaves `versions`: a reference kept elsewhere then knows it without a lookup. */
  released: boolean;
}

/**
 * The scripts a server runs: the current version of each (for new calls) and
 * every version a call may still be pinned to (calls finish on the version they
 * started with, even after a reload).
 *
 * A version that is no longer current is released as soon as no call of this
 * process runs on it: the runner reports calls with `track` / `untrack`. A
 * version released too early (or never known here) is not lost for good: the
 * runner restores pinned versions from the store's script archive.
 */
export class ScriptRegistry {
  private byName = new Map<string, Script>();
  private byNumber = new Map<string, Script>();
  private readonly versions = new Map<string, Entry>();
  /** Call id → the version it runs on. */
  private readonly calls = new Map<string, Entry>();

  constructor(scripts: readonly Script[] = []) {
    this.replace(scripts);
  }

  /**
   * Makes `scripts` the current set. Earlier versions stay available while calls
   * run on them; the others are released.
   */
  replace(scripts: readonly Script[]): void {
    const byName = new Map<string, Script>();
    const byNumber = new Map<string, Script>();
    for (const script of scripts) {
      byName.set(script.name, script);
      for (const number of script.numbers) byNumber.set(number, script);
      this.add(script);
    }
    this.byName = byName;
    this.byNumber = byNumber;
    for (const entry of [...this.versions.values()]) this.releaseIfIdle(entry);
  }

  /**
   * Adds a version calls may be pinned to without making it current (e.g. loaded
   * from a store). It stays until a replace finds no call of this process on it.
   */
  remember(script: Script): void {
    this.add(script);
  }

  current(name: string): Script | undefined {
    return this.byName.get(name);
  }

  forNumber(number: string): Script | undefined {
    return this.byNumber.get(number);
  }

  pinned(name: string, version: string): Script | undefined {
    // Asked on every notification, nearly always for the version asked last: that one is
    // answered without building and hashing a fresh `name@version` string.
    const last = this.lastPinned;
    if (last !== undefined && !last.released && last.script.version === version && last.script.name === name) return last.script;
    const entry = this.versions.get(versionKey(name, version));
    if (entry !== undefined) this.lastPinned = entry;
    return entry?.script;
  }

  private lastPinned: Entry | undefined;

  list(): Script[] {
    return [...this.byName.values()];
  }

  /** Call `id` runs on `script`'s version (idempotent; holds the version, re-adding it if it was released). */
  track(id: string, script: Script): void {
    const previous = this.calls.get(id);
    // Called for every notification: the common case (already tracked on this version) builds no key.
    if (previous !== undefined && !previous.released && previous.script === script) return;
    const entry = this.add(script);
    if (previous === entry) return;
    entry.calls++;
    this.calls.set(id, entry);
    if (previous !== undefined) {
      previous.calls--;
      this.releaseIfIdle(previous);
    }
  }

  /** Call `id` has ended: its version is released if it is not current and no other call runs on it. */
  untrack(id: string): void {
    const entry = this.calls.get(id);
    if (entry === undefined) return;
    this.calls.delete(id);
    entry.calls--;
    this.releaseIfIdle(entry);
  }

  /** Calls of this process on a version. */
  callsOn(name: string, version: string): number {
    return this.versions.get(versionKey(name, version))?.calls ?? 0;
  }

  /** Every version held: the current ones and those calls still run on. */
  held(): HeldVersion[] {
    return [...this.versions.values()].map((e) => ({ script: e.script, current: this.isCurrent(e.script), calls: e.calls }));
  }

  private isCurrent(script: Script): boolean {
    return this.byName.get(script.name)?.version === script.version;
  }

  private add(script: Script): Entry {
    const key = versionKey(script.name, script.version);
    let entry = this.versions.get(key);
    if (entry === undefined) {
      entry = { script, key, calls: 0, released: false };
      this.versions.set(key, entry);
    }
    return entry;
  }

  /** Releases `entry` if no call runs on it and it is not current (one already released stays so, its key perhaps held again by a new entry). */
  private releaseIfIdle(entry: Entry): void {
    if (!entry.released && entry.calls === 0 && !this.isCurrent(entry.script)) {
      this.versions.delete(entry.key);
      entry.released = true;
    }
  }
}

function versionKey(name: string, version: string): string {
  return `${name}@${version}`;
}

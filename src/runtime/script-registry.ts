import type { Script } from '../script/model.js';

/**
 * The scripts a server runs: the current version of each (for new calls) and
 * every version a call may still be pinned to (calls finish on the version they
 * started with, even after a reload).
 */
export class ScriptRegistry {
  private byName = new Map<string, Script>();
  private byNumber = new Map<string, Script>();
  private readonly versions = new Map<string, Script>();

  constructor(scripts: readonly Script[] = []) {
    this.replace(scripts);
  }

  /** Makes `scripts` the current set; earlier versions stay available to pinned calls. */
  replace(scripts: readonly Script[]): void {
    const byName = new Map<string, Script>();
    const byNumber = new Map<string, Script>();
    for (const script of scripts) {
      byName.set(script.name, script);
      for (const number of script.numbers) byNumber.set(number, script);
      this.versions.set(versionKey(script.name, script.version), script);
    }
    this.byName = byName;
    this.byNumber = byNumber;
  }

  /** Adds a version calls may be pinned to without making it current (e.g. loaded from a store). */
  remember(script: Script): void {
    this.versions.set(versionKey(script.name, script.version), script);
  }

  current(name: string): Script | undefined {
    return this.byName.get(name);
  }

  forNumber(number: string): Script | undefined {
    return this.byNumber.get(number);
  }

  pinned(name: string, version: string): Script | undefined {
    return this.versions.get(versionKey(name, version));
  }

  list(): Script[] {
    return [...this.byName.values()];
  }
}

function versionKey(name: string, version: string): string {
  return `${name}@${version}`;
}

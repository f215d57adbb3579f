import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Loads a module of the build (`dist/`, what `callscript serve` runs): that is the
 * code measured. Bench and soak code is typed from `src/` with
 * `fromDist<typeof import('../src/….js')>('….js')`. Paths are relative to `dist/`;
 * the working directory must be the repository root (npm scripts run there).
 */
export function fromDist<T>(path: string): Promise<T> {
  const file = join(process.cwd(), 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run from the repository root after \`npm run build\``);
  return import(pathToFileURL(file).href) as Promise<T>;
}

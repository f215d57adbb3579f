/**
 * The environment variables scripts read at run time: `{ env: NAME }` http
 * headers and the signing secret of call summaries. `validate` cannot know the
 * environment; `serve` refuses to start without them, `dev` warns.
 */
import type { Script } from './model.js';

export interface EnvReference {
  readonly name: string;
  readonly script: string;
  /** What reads it: `steps.lookup.http.headers.Authorization`, `events.secret_env`. */
  readonly where: string;
}

export function envReferences(scripts: readonly Script[]): EnvReference[] {
  const out: EnvReference[] = [];
  for (const script of scripts) {
    for (const step of Object.values(script.steps)) {
      if (step.kind !== 'http') continue;
      for (const header of step.headers) {
        if ('env' in header.value) out.push({ name: header.value.env, script: script.name, where: `steps.${step.id}.http.headers.${header.name}` });
      }
    }
    if (script.events !== undefined) out.push({ name: script.events.secretEnv, script: script.name, where: 'events.secret_env' });
  }
  return out;
}

/** References whose variable `env` does not have. */
export function missingEnv(scripts: readonly Script[], env: (name: string) => string | undefined): EnvReference[] {
  return envReferences(scripts).filter((ref) => {
    const value = env(ref.name);
    return value === undefined || value === '';
  });
}

export function describeMissing(missing: readonly EnvReference[]): string {
  return missing.map((m) => `  ${m.name} (script ${m.script}, ${m.where})`).join('\n');
}

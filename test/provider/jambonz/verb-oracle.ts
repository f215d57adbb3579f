/**
 * Every verb array the tests see is checked here with
 * @jambonz/verb-specifications, exactly what the jambonz feature server runs
 * before it executes a hook's answer (../shared/providers.md §3.2, §9).
 */
import { validate } from '@jambonz/verb-specifications';

const quiet = { info: () => undefined, debug: () => undefined, error: () => undefined };

/** Throws with the validator's message (and the verbs) when jambonz would refuse them. */
export function assertValidVerbs(verbs: unknown): void {
  try {
    validate(quiet, verbs);
  } catch (err) {
    throw new Error(`jambonz would refuse this answer: ${err instanceof Error ? err.message : String(err)}\n${JSON.stringify(verbs)}`);
  }
}

/** The validator's verdict, for tests that show what it refuses. */
export function refusal(verbs: unknown): string | undefined {
  try {
    validate(quiet, verbs);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The numbers a simulated call uses when a tool names none. Shared by the test bench,
 * the terminal phone and the browser phone, so they live apart from all three: the
 * browser phone is part of the dev server, which the bench starts.
 */

/** The caller's number when none is given (and the callee of outbound calls). */
export const DEFAULT_CALLER = '+6591234567';
/** The dialled number for a script without numbers rung by name. */
export const DEFAULT_DIALLED = '+6560000000';

/** The billing fields of an `ended` notification (contract §5.2). */

const GMT8_MS = 8 * 60 * 60 * 1000;

/** `YYYY-MM-DD HH:MM:SS` in GMT+8, Hoiio's time zone. */
export function hoiioDate(ms: number): string {
  return new Date(ms + GMT8_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Whole minutes, rounded up, at least 1 once answered. Simulated seconds (recordings,
 * bridged talk) may run faster than the wall clock, so the longer of the two counts.
 */
export function billedMinutes(answeredAt: number | undefined, endedAt: number, simulatedSeconds: number): number {
  if (answeredAt === undefined) return 0;
  const seconds = Math.max((endedAt - answeredAt) / 1000, simulatedSeconds);
  return Math.max(1, Math.ceil(seconds / 60));
}

/** Up to 4 decimals, no trailing zeros: `0.05`, `0.1`, `0`. */
export function money(amount: number): string {
  return String(Number(amount.toFixed(4)));
}

export function billingFields(
  startedAt: number,
  minutes: number,
  ratePerMinute: number,
): Record<string, string> {
  return {
    date: hoiioDate(startedAt),
    duration: String(minutes),
    currency: 'SGD',
    rate: money(ratePerMinute),
    debit: money(ratePerMinute * minutes),
  };
}

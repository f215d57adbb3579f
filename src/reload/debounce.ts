/**
 * Turns bursts of file events into one action: it runs once events have been
 * quiet for `quietMs`, and no later than `maxWaitMs` after the first event of
 * a burst, so a stream of saves cannot hold a reload back for ever.
 */
export class Debouncer {
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly action: () => void,
    private readonly quietMs: number,
    private readonly maxWaitMs: number,
  ) {}

  trigger(): void {
    if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.fire(), this.quietMs);
    this.maxTimer ??= setTimeout(() => this.fire(), this.maxWaitMs);
  }

  get pending(): boolean {
    return this.quietTimer !== undefined;
  }

  cancel(): void {
    if (this.quietTimer !== undefined) clearTimeout(this.quietTimer);
    if (this.maxTimer !== undefined) clearTimeout(this.maxTimer);
    this.quietTimer = undefined;
    this.maxTimer = undefined;
  }

  private fire(): void {
    this.cancel();
    this.action();
  }
}

// Pacing of service operations shared by all bulk workers (GCRA: a token bucket in virtual time).
// Operations start 60,000 / operationsPerMinute ms apart on average. `burst` operations may start back
// to back first; the default of 1 means no burst, on purpose: DPS counts operations per minute for the
// whole instance, and a burst spends budget that the instance's other clients (production back ends)
// may need. A user who owns the budget can allow a burst of up to a minute's worth.
import { realSleep, type Sleep } from './sleep';

export interface Clock {
  now(): number;
  sleep: Sleep;
}

export const realClock: Clock = { now: () => performance.now(), sleep: realSleep };

export class Pacer {
  private readonly intervalMs: number;
  /** How far ahead of its theoretical time an operation may start: the burst allowance. */
  private readonly toleranceMs: number;
  /** Theoretical arrival time of the next operation. */
  private nextTheoreticalMs = Number.NEGATIVE_INFINITY;

  constructor(
    operationsPerMinute: number,
    private readonly clock: Clock,
    burst = 1,
  ) {
    if (!Number.isFinite(operationsPerMinute) || operationsPerMinute <= 0) {
      throw new RangeError('operationsPerMinute must be a positive number.');
    }
    if (!Number.isInteger(burst) || burst < 1 || burst > operationsPerMinute) {
      throw new RangeError('burst must be an integer from 1 to operationsPerMinute.');
    }
    this.intervalMs = 60_000 / operationsPerMinute;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Waits for this operation's slot. Resolves false if the signal aborted first (the slot is then lost, which is harmless). */
  async take(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    const now = this.clock.now();
    const theoretical = Math.max(now, this.nextTheoreticalMs);
    const start = Math.max(now, theoretical - this.toleranceMs);
    this.nextTheoreticalMs = theoretical + this.intervalMs;
    if (start > now) await this.clock.sleep(start - now, signal);
    return !signal?.aborted;
  }

  /** After a 429 every worker holds off, not only the one that was throttled. */
  pauseUntil(timeMs: number): void {
    this.nextTheoreticalMs = Math.max(this.nextTheoreticalMs, timeMs + this.toleranceMs);
  }
}

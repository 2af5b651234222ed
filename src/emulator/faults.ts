// Fault injection: with probability `rate` a request gets one of the configured faults. A seeded
// PRNG (mulberry32) makes runs repeatable.
export type FaultKind = '429' | '500' | '503' | 'reset' | 'delay';

export interface FaultOptions {
  rate: number;
  kinds: FaultKind[];
  retryAfterSeconds?: number;
  delayMs?: number;
  seed?: number;
  /** For '500' and 'reset': half of those faults happen after the request was applied. */
  applyAfterProcessing?: boolean;
}

export interface FaultDecision {
  kind: FaultKind;
  /** True when the request is processed first and the fault replaces its response. */
  afterProcessing: boolean;
}

export const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '503', 'reset', 'delay'];

export function validateFaultOptions(f: FaultOptions): FaultOptions {
  if (typeof f.rate !== 'number' || !(f.rate >= 0 && f.rate <= 1)) throw new RangeError('Fault rate must be between 0 and 1.');
  if (!Array.isArray(f.kinds) || f.kinds.length === 0) throw new RangeError('At least one fault kind is required.');
  for (const k of f.kinds) {
    if (!FAULT_KINDS.includes(k)) throw new RangeError(`Unknown fault kind '${String(k)}'; use ${FAULT_KINDS.join(', ')}.`);
  }
  return f;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;

  constructor(readonly options: FaultOptions) {
    validateFaultOptions(options);
    this.random = options.seed === undefined ? Math.random : mulberry32(options.seed);
  }

  next(): FaultDecision | undefined {
    if (this.options.rate === 0 || this.random() >= this.options.rate) return undefined;
    const kinds = this.options.kinds;
    const kind = kinds[Math.min(kinds.length - 1, Math.floor(this.random() * kinds.length))];
    const canApply = (kind === '500' || kind === 'reset') && this.options.applyAfterProcessing === true;
    return { kind, afterProcessing: canApply && this.random() < 0.5 };
  }
}

import { LeaseManager } from '@libs/database/coordination/coordination.port';

/** A slot of a provider kind, held while one sync of that kind runs. */
export interface SyncSlot {
  kind: string;
  lease: string;
}

export interface SyncSlotsOptions {
  /** Per kind, `default` for the others (PULL_SYNC_CONCURRENCY parsed). */
  perKind: Record<string, number>;
  /** Every kind together, in this process (PULL_SYNC_MAX_CONCURRENT). */
  maxTotal: number;
  leaseTtlMs: number;
  /** How often a queued sync looks for a slot another process freed (one in this process wakes it at once). */
  pollMs?: number;
}

/**
 * How many syncs of each provider kind run at once: a provider's rate limits are per account
 * or app, not per process, so a kind's limit holds across processes through one lease per slot
 * (`ingestion.pull-sync-slot:<kind>:<n>`, n < limit; renewed with the source's lease, expired
 * with a dead holder). The overall cap is this process's own (its memory, its connections).
 */
export class SyncSlots {
  private readonly held = new Map<string, Set<number>>();
  private total = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly leases: LeaseManager,
    private readonly options: SyncSlotsOptions,
  ) {}

  limitOf(kind: string): number {
    return this.options.perKind[kind] ?? this.options.perKind.default ?? 1;
  }

  /** A free slot of the kind now, or null (the kind or the process is at its limit). */
  async tryTake(kind: string): Promise<SyncSlot | null> {
    const mine = this.held.get(kind) ?? new Set<number>();
    this.held.set(kind, mine);
    const limit = this.limitOf(kind);
    if (mine.size >= limit || this.total >= this.options.maxTotal) return null;
    // Reserved before any await, so two callers of this process cannot take the same slot.
    this.total++;
    for (let n = 0; n < limit; n++) {
      if (mine.has(n)) continue;
      mine.add(n);
      try {
        if (await this.leases.tryAcquire(slotLease(kind, n), this.options.leaseTtlMs)) return { kind, lease: slotLease(kind, n) };
      } catch (err) {
        mine.delete(n);
        this.total--;
        throw err;
      }
      mine.delete(n);
    }
    this.total--;
    return null;
  }

  /** Waits for a slot; throws the signal's reason when aborted first. */
  async take(kind: string, signal?: AbortSignal): Promise<SyncSlot> {
    for (;;) {
      signal?.throwIfAborted();
      const slot = await this.tryTake(kind);
      if (slot) return slot;
      // Woken by a release in this process, by the abort, or after pollMs (a slot another process freed).
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, this.options.pollMs ?? 2_000);
        timer.unref?.();
        signal?.addEventListener('abort', wake, { once: true });
        this.waiters.add(wake);
      });
    }
  }

  /** Renews the slot's lease; false when it was lost (the sync should stop). */
  renew(slot: SyncSlot): Promise<boolean> {
    return this.leases.tryAcquire(slot.lease, this.options.leaseTtlMs);
  }

  async release(slot: SyncSlot): Promise<void> {
    const n = Number(slot.lease.slice(slot.lease.lastIndexOf(':') + 1));
    if (this.held.get(slot.kind)?.delete(n)) this.total--;
    try {
      await this.leases.release(slot.lease);
    } finally {
      for (const wake of [...this.waiters]) wake();
    }
  }

  /** Syncs of the kind this process runs now. */
  running(kind: string): number {
    return this.held.get(kind)?.size ?? 0;
  }
}

const slotLease = (kind: string, n: number) => `ingestion.pull-sync-slot:${kind}:${n}`;

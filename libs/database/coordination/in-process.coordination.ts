import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { LeaseManager, WakeUpSignal } from './coordination.port';

/** Embedded mode: one process owns the database, so an EventEmitter is the whole bus. */
export class InProcessWakeUpSignal extends WakeUpSignal {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(channel: string): void {
    queueMicrotask(() => this.emitter.emit(channel));
  }

  subscribe(channel: string, listener: () => void): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

export class InProcessLeaseManager extends LeaseManager {
  readonly holderId = `proc-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();

  async tryAcquire(name: string, ttlMs: number, holder = this.holderId): Promise<boolean> {
    const now = Date.now();
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.expiresAt > now) return false;
    this.leases.set(name, { holder, expiresAt: now + ttlMs });
    return true;
  }

  async release(name: string): Promise<void> {
    if (this.leases.get(name)?.holder === this.holderId) this.leases.delete(name);
  }
}

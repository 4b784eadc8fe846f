/**
 * Cross-process coordination, behind a port because the two database backends differ:
 * PostgreSQL has LISTEN/NOTIFY and row locks shared by every process; the embedded PGlite
 * serves every connection from one backend, where NOTIFY does not cross connections. The
 * implementation is chosen once at start-up (see coordination.module.ts), never by `if`s.
 */
export abstract class WakeUpSignal {
  /** Wakes every subscriber of `channel`, in this process at once and in others soon after. */
  abstract notify(channel: string): void;
  /** Returns the unsubscribe function. */
  abstract subscribe(channel: string, listener: () => void): () => void;
  abstract close(): Promise<void>;
}

/** A named lease held by one process at a time; it expires unless renewed, so a dead holder is replaced. */
export abstract class LeaseManager {
  abstract readonly holderId: string;
  /** Takes the lease if it is free or expired, or renews it when this holder has it. */
  abstract tryAcquire(name: string, ttlMs: number): Promise<boolean>;
  abstract release(name: string): Promise<void>;
}

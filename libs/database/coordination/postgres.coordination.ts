import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { LeaseManager, WakeUpSignal } from './coordination.port';

const PROCESS_TAG = `${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * PostgreSQL mode: local subscribers are woken at once; other processes through pg_notify on a
 * dedicated LISTEN connection. Notifies are coalesced (at most one per channel per `coalesceMs`)
 * because NOTIFY serialises committing transactions on a global queue lock.
 */
export class PostgresWakeUpSignal extends WakeUpSignal {
  private readonly listeners = new Map<string, Set<() => void>>();
  private listenClient?: Client;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;
  /** Our own notifications come back through LISTEN; local listeners were already woken. */
  private readonly instanceTag = `${PROCESS_TAG}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly pool: Pool,
    private readonly url: string,
    private readonly coalesceMs = 10,
  ) {
    super();
  }

  notify(channel: string): void {
    this.wakeLocal(channel);
    if (this.closed || this.pending.has(channel)) return;
    this.pending.set(
      channel,
      setTimeout(() => {
        this.pending.delete(channel);
        this.pool.query('SELECT pg_notify($1, $2)', [channel, this.instanceTag]).catch(() => undefined);
      }, this.coalesceMs),
    );
  }

  subscribe(channel: string, listener: () => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      void this.listen(channel);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  private async listen(channel: string): Promise<void> {
    try {
      if (!this.listenClient) {
        this.listenClient = new Client({ connectionString: this.url });
        this.listenClient.on('notification', (msg) => {
          if (msg.payload !== this.instanceTag) this.wakeLocal(msg.channel);
        });
        this.listenClient.on('error', () => {
          // Subscribers keep their polling fallback; a lost LISTEN connection only delays wake-ups.
          this.listenClient = undefined;
        });
        await this.listenClient.connect();
      }
      await this.listenClient.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch {
      this.listenClient = undefined;
    }
  }

  private wakeLocal(channel: string): void {
    for (const listener of this.listeners.get(channel) ?? []) queueMicrotask(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.listeners.clear();
    await this.listenClient?.end().catch(() => undefined);
  }
}

/** Lease rows with an expiry: work across processes and survive a holder's death. */
export class PostgresLeaseManager extends LeaseManager {
  readonly holderId = `proc-${PROCESS_TAG}`;

  constructor(private readonly pool: Pool) {
    super();
  }

  async tryAcquire(name: string, ttlMs: number, holder = this.holderId): Promise<boolean> {
    const res = await this.pool.query(
      `INSERT INTO coordination_leases AS l (name, holder, expires_at, acquired_at)
       VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::double precision / 1000), clock_timestamp())
       ON CONFLICT (name) DO UPDATE
         SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
             acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE EXCLUDED.acquired_at END
         WHERE l.holder = EXCLUDED.holder OR l.expires_at < clock_timestamp()
       RETURNING holder`,
      [name, holder, ttlMs],
    );
    return res.rowCount === 1;
  }

  async release(name: string): Promise<void> {
    await this.pool.query('DELETE FROM coordination_leases WHERE name = $1 AND holder = $2', [name, this.holderId]);
  }
}

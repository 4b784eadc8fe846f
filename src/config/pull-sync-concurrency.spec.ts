import { appConfigSchema, DEFAULT_PULL_SYNC_CONCURRENCY, parseSyncConcurrency } from './app-config';

describe('PULL_SYNC_CONCURRENCY', () => {
  it('reads kind=limit pairs, with a default for kinds not named', () => {
    expect(parseSyncConcurrency('slack=2, imap=4,gong=1,default=3')).toEqual({ slack: 2, imap: 4, gong: 1, default: 3 });
    // Without `default`, a kind not named gets 2.
    expect(parseSyncConcurrency('slack=1')).toEqual({ slack: 1, default: 2 });
    expect(parseSyncConcurrency('')).toEqual({ default: 2 });
    expect(parseSyncConcurrency(DEFAULT_PULL_SYNC_CONCURRENCY)).toMatchObject({ gong: 1, fathom: 1, gmail: 4, microsoft365: 4, default: 2 });
  });

  it('refuses what is not kind=number from 1 to 100, and the config names the variable', () => {
    for (const bad of ['slack', 'slack=0', 'slack=101', 'slack=two', 'slack=1;imap=2', '=3']) expect(() => parseSyncConcurrency(bad)).toThrow();
    const r = appConfigSchema.safeParse({ PULL_SYNC_CONCURRENCY: 'slack=0' });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ['PULL_SYNC_CONCURRENCY'], message: 'slack=0: the limit must be from 1 to 100' })]);
  });

  it('defaults: a tick every minute, 15 minutes between two syncs of a source, 8 syncs at once per process', () => {
    const c = appConfigSchema.parse({});
    expect(c).toMatchObject({ PULL_SYNC_CRON: '* * * * *', PULL_SYNC_DEFAULT_INTERVAL_MINUTES: 15, PULL_SYNC_MAX_CONCURRENT: 8 });
    expect(c.PULL_SYNC_CONCURRENCY).toEqual(parseSyncConcurrency(DEFAULT_PULL_SYNC_CONCURRENCY));
    expect(appConfigSchema.safeParse({ PULL_SYNC_DEFAULT_INTERVAL_MINUTES: '0' }).success).toBe(false);
  });
});

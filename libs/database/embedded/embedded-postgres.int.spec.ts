import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Issue 11 item 13: PGlite takes any user and password and pglite-socket has no authentication,
 * so the embedded database must listen where nothing but this OS user can connect: a unix socket
 * in a 0700 directory, no TCP port.
 */
describe('embedded PostgreSQL socket', () => {
  let embedded: EmbeddedPostgres;

  beforeAll(async () => {
    embedded = await EmbeddedPostgres.start({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await embedded?.stop();
  });

  it('listens on a unix socket in a directory only its user may enter, not on a TCP port; its own user connects', async () => {
    // postgres://postgres@/postgres?host=<socket directory>&port=...: no host name, no TCP.
    expect(embedded.url).toMatch(/^postgres:\/\/postgres@\/postgres\?host=%2F/);
    const dir = decodeURIComponent(/[?&]host=([^&]+)/.exec(embedded.url)![1]);
    expect(dir.startsWith('/')).toBe(true);
    expect(embedded.socketPath.startsWith(`${dir}/`)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(embedded.socketPath).isSocket()).toBe(true);
    expect(statSync(embedded.socketPath).mode & 0o077).toBe(0);
    const client = new Client({ connectionString: embedded.url });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });

  // Root passes every permission check, so only a process of another user can show the refusal.
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? it : it.skip)('refuses a client running as another OS user (nobody), whatever credentials it presents', () => {
    const script = `
      const { Client } = require(${JSON.stringify(require.resolve('pg'))});
      const c = new Client({ connectionString: process.argv[1], password: 'postgres', connectionTimeoutMillis: 5000 });
      c.connect().then(() => { console.log('CONNECTED'); return c.end(); }, (e) => { console.log('REFUSED ' + e.code); });
    `;
    const run = spawnSync(process.execPath, ['-e', script, embedded.url], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 20_000, cwd: '/' });
    expect(run.error).toBeUndefined();
    expect(run.stdout.trim()).toMatch(/^REFUSED (EACCES|ENOENT)$/);
  });

  it('keeps the socket of a data directory in <DATA_DIR>/socket (mode 0700) and removes it on stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ci-embedded-'));
    try {
      const db = await EmbeddedPostgres.start({ dataDir: 'memory://', socketDir: join(dataDir, 'socket') });
      try {
        expect(db.socketPath).toBe(join(dataDir, 'socket', '.s.PGSQL.5432'));
        expect(statSync(join(dataDir, 'socket')).mode & 0o777).toBe(0o700);
        const client = new Client({ connectionString: db.url });
        await client.connect();
        await client.end();
      } finally {
        await db.stop();
      }
      expect(() => statSync(db.socketPath)).toThrow(/ENOENT/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

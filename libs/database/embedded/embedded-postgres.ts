import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Directory for the data files; `memory://` keeps everything in memory (tests). */
  dataDir: string;
  /**
   * A directory only this OS user may enter (created 0700) for the unix socket; unset: a fresh
   * one in the OS temp directory, removed on stop. Too long for a socket path: the temp one too.
   */
  socketDir?: string;
  /** The number in the socket's name (`.s.PGSQL.<port>`, as PostgreSQL names it); 0 = 5432. */
  port?: number;
  /** Socket connections accepted; they are all multiplexed onto PGlite's single backend. */
  maxConnections?: number;
}

/** Linux allows 107 bytes in a unix socket path, macOS 103. */
const MAX_SOCKET_PATH = 100;

/**
 * PostgreSQL in-process: PGlite (PostgreSQL compiled to WASM) with pgvector, served by
 * pglite-socket so the application talks to it with the same `pg` driver and TypeORM code as to
 * a real server. One backend serves every connection: statements queue, an open transaction
 * holds the others, LISTEN/NOTIFY and advisory locks do not work across connections. That is
 * why the embedded mode is single-process by design (see README).
 *
 * Who may connect: PGlite accepts any user and any password, and pglite-socket has no
 * authentication of its own. So it listens on a unix socket (never on TCP) inside a directory
 * of mode 0700: only this OS user (and root) can reach it, the same ones who can read the data
 * files in DATA_DIR anyway, so a password would guard nothing more. A local TCP port would let
 * any local user or container sharing the network namespace read and write everything.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    /** The unix socket's file. */
    readonly socketPath: string,
    private readonly cleanUp: () => void,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    let dataDir: string | undefined;
    if (options.dataDir !== 'memory://') {
      dataDir = resolve(options.dataDir);
      mkdirSync(dataDir, { recursive: true });
    }
    const port = options.port || 5432;
    const socket = privateSocketDir(options.socketDir, `.s.PGSQL.${port}`);
    let db: PGlite | undefined;
    try {
      db = await PGlite.create({ dataDir, extensions: { vector } });
      await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
      const server = new PGLiteSocketServer({ db, path: socket.path, maxConnections: options.maxConnections ?? 64 });
      await server.start();
      // The directory already keeps others out; the socket's own mode says so too.
      chmodSync(socket.path, 0o600);
      const url = `postgres://postgres@/postgres?host=${encodeURIComponent(socket.dir)}&port=${port}&sslmode=disable`;
      return new EmbeddedPostgres(db, server, url, socket.path, socket.cleanUp);
    } catch (err) {
      socket.cleanUp();
      await db?.close().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      this.cleanUp();
    }
  }
}

/**
 * The socket's directory, mode 0700 and owned by this process's user. A configured directory
 * is created (or tightened) in place; a stale socket file in it (a crashed run: the data
 * directory's lock says no other process runs) is removed. Otherwise a fresh temp directory.
 */
function privateSocketDir(wanted: string | undefined, name: string): { dir: string; path: string; cleanUp: () => void } {
  if (wanted && join(resolve(wanted), name).length <= MAX_SOCKET_PATH) {
    const dir = resolve(wanted);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || (typeof process.getuid === 'function' && stat.uid !== process.getuid())) {
      throw new Error(`${dir} must be a directory owned by this user (it holds the embedded database's socket)`);
    }
    chmodSync(dir, 0o700);
    const path = join(dir, name);
    rmSync(path, { force: true });
    return { dir, path, cleanUp: () => rmSync(path, { force: true }) };
  }
  // mkdtemp creates the directory with mode 0700.
  const dir = mkdtempSync(join(tmpdir(), 'ci-pg-'));
  return { dir, path: join(dir, name), cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Directory for the data files; `memory://` keeps everything in memory (tests). */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Socket connections accepted; they are all multiplexed onto PGlite's single backend. */
  maxConnections?: number;
}

/**
 * PostgreSQL in-process: PGlite (PostgreSQL compiled to WASM) with pgvector, served on a local
 * TCP port by pglite-socket so the application talks to it with the same `pg` driver and
 * TypeORM code as to a real server. One backend serves every connection: statements queue,
 * an open transaction holds the others, LISTEN/NOTIFY and advisory locks do not work across
 * connections. That is why the embedded mode is single-process by design (see README).
 */
export class EmbeddedPostgres {
  private constructor(
    readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    let dataDir: string | undefined;
    if (options.dataDir !== 'memory://') {
      dataDir = resolve(options.dataDir);
      mkdirSync(dataDir, { recursive: true });
    }
    const db = await PGlite.create({ dataDir, extensions: { vector } });
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 64,
    });
    await server.start();
    const conn = server.getServerConn();
    return new EmbeddedPostgres(db, server, `postgres://postgres:postgres@${conn}/postgres?sslmode=disable`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}

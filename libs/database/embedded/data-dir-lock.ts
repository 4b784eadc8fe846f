import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite files must be opened by one process only: a second one (say, the CLI while the app
 * runs) would corrupt them. A pid file taken with O_EXCL guards the directory; a stale file
 * left by a dead process is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DataDirLock {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'embedded.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirLock(file);
      } catch (err: any) {
        if (err.code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(file, 'utf8'));
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw new Error(
            `The embedded database in ${dir} is in use by process ${pid}. Stop it first, or set DATABASE_URL to share a PostgreSQL server.`,
          );
        }
        rmSync(file, { force: true });
      }
    }
    throw new Error(`Could not lock ${dir}`);
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: any) {
    return err.code === 'EPERM';
  }
}

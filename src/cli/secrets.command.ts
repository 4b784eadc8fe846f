import { Inject, Provider } from '@nestjs/common';
import { Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { Pool } from 'pg';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { SecretRotation } from '@libs/common/crypto/secret-rotation';
import { PG_POOL } from '@libs/database/database-backend';

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

@SubCommand({ name: 'status', description: 'Encrypted columns with how many values each key id seals' })
class SecretsStatus extends CommandRunner {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly box: SecretBox,
    private readonly columns: EncryptedColumns,
  ) {
    super();
  }
  async run(): Promise<void> {
    print({ keyring: this.box.keyIds, ...(await new SecretRotation(this.pool, this.box, this.columns).status()) });
  }
}

@SubCommand({
  name: 'rotate',
  description:
    'Re-encrypt every registered secret not under the active key (the first of SECRETS_KEYS); afterwards, key ids not in keysStillInUse can be removed',
})
class RotateSecrets extends CommandRunner {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly box: SecretBox,
    private readonly columns: EncryptedColumns,
  ) {
    super();
  }

  async run(_: string[], opts: { batchSize?: number }): Promise<void> {
    const bar = new SingleBar(
      { format: '{column} [{bar}] {percentage}% | {value}/{total} values | ETA {eta_formatted}', hideCursor: true },
      Presets.shades_classic,
    );
    let current = '';
    const summary = await new SecretRotation(this.pool, this.box, this.columns).rotate({
      batchSize: opts.batchSize,
      onProgress: (p) => {
        const name = `${p.table}.${p.column}`;
        if (name !== current) {
          if (current) bar.stop();
          current = name;
          bar.start(p.total, p.done, { column: name });
        }
        bar.setTotal(p.total);
        bar.update(p.done, { column: name });
      },
    });
    if (current) bar.stop();
    print(summary);
    // Values no key opens are left as they are: the operator must look before removing a key.
    if (summary.unreadable > 0) process.exitCode = 1;
  }

  @Option({ flags: '-b, --batch-size <n>', description: 'rows per transaction (default 500)' })
  parseBatchSize(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--batch-size must be an integer between 1 and 10000');
    return n;
  }
}

@Command({ name: 'secrets', description: 'Secrets at rest: status, rotate', subCommands: [SecretsStatus, RotateSecrets] })
export class SecretsCommand extends CommandRunner {
  static readonly providers: Provider[] = [SecretsStatus, RotateSecrets];
  async run(): Promise<void> {
    process.stdout.write('usage: secrets status | rotate [--batch-size N]\n');
  }
}

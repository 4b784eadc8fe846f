import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { EVENT_STORE_OPTIONS, EventStoreModuleOptions } from '@libs/event-store/event-store.module';
import { EventPartitions, PartitionError } from '@libs/event-store/event-partitions';
import { Inject, Provider } from '@nestjs/common';

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

@SubCommand({ name: 'list', description: 'List event partitions with their ranges and row counts' })
class ListPartitions extends CommandRunner {
  constructor(private readonly partitions: EventPartitions) {
    super();
  }
  async run(): Promise<void> {
    print(await this.partitions.list());
  }
}

@SubCommand({ name: 'ensure', description: 'Create the monthly partitions of this month and N months ahead' })
class EnsurePartitions extends CommandRunner {
  constructor(
    private readonly partitions: EventPartitions,
    @Inject(EVENT_STORE_OPTIONS) private readonly options: EventStoreModuleOptions,
  ) {
    super();
  }
  async run(_: string[], opts: { months?: number }): Promise<void> {
    const created = await this.partitions.ensureAhead(opts.months ?? this.options.partitionMonthsAhead);
    print({ created });
  }
  @Option({ flags: '-m, --months <n>', description: 'months ahead (default EVENTS_PARTITION_MONTHS_AHEAD)' })
  parseMonths(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 120) throw new Error('--months must be an integer between 0 and 120');
    return n;
  }
}

@SubCommand({
  name: 'detach',
  arguments: '<month>',
  description: 'Detach a past month (YYYY-MM) for archive; it becomes the table archived_events_yYYYYmMM',
})
class DetachPartition extends CommandRunner {
  constructor(private readonly partitions: EventPartitions) {
    super();
  }
  async run([month]: string[]): Promise<void> {
    try {
      print(await this.partitions.detachMonth(month));
    } catch (err) {
      if (err instanceof PartitionError) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
  }
}

@Command({ name: 'partitions', description: 'Event log partitions', subCommands: [ListPartitions, EnsurePartitions, DetachPartition] })
export class PartitionsCommand extends CommandRunner {
  static readonly providers: Provider[] = [ListPartitions, EnsurePartitions, DetachPartition];
  async run(): Promise<void> {
    process.stdout.write('usage: partitions list | ensure [--months N] | detach <YYYY-MM>\n');
  }
}

import { Provider } from '@nestjs/common';
import { SingleBar, Presets } from 'cli-progress';
import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { LeaseManager } from '@libs/database/coordination/coordination.port';
import { ProjectionAdmin } from '@libs/eventsourcing/projections/projection-admin';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { SubscriptionCheckpoints } from '@libs/eventsourcing/subscriptions/subscription-checkpoints';

@SubCommand({ name: 'list', description: 'Projections with status, checkpoint, lag and parked events' })
class ListProjections extends CommandRunner {
  constructor(private readonly admin: ProjectionAdmin) {
    super();
  }
  async run(): Promise<void> {
    process.stdout.write(JSON.stringify(await this.admin.list(), null, 2) + '\n');
  }
}

@SubCommand({ name: 'rebuild', arguments: '<name>', description: 'Rebuild a projection blue/green, with a progress bar' })
class RebuildProjection extends CommandRunner {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly rebuilder: ProjectionRebuilder,
    private readonly checkpoints: SubscriptionCheckpoints,
    private readonly leases: LeaseManager,
  ) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    const projection = this.registry.get(name);
    if (!projection) {
      process.stderr.write(`No projection named ${name}. Known: ${this.registry.all().map((p) => p.name).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    if (projection.mode === 'async') await this.checkpoints.ensure(name, 'projection');
    const bar = new SingleBar(
      { format: `${name} [{bar}] {percentage}% | {value}/{total} events | {rate}/s | ETA {eta_formatted}`, hideCursor: true },
      Presets.shades_classic,
    );
    // The consumer's lease: while we hold it no app process applies this projection, so the swap is safe.
    const lease = projection.mode === 'async' ? `subscription:${name}` : `rebuild:${name}`;
    if (await this.leases.tryAcquire(lease, 60 * 60_000)) {
      const id = await this.rebuilder.request(name, 'cli');
      let started = false;
      try {
        await this.rebuilder.rebuild(projection, id, (p) => {
          if (!started) bar.start(p.eventsTotal, 0, { rate: 0 });
          started = true;
          bar.setTotal(p.eventsTotal);
          bar.update(p.eventsDone, { rate: p.ratePerSecond });
        });
      } finally {
        bar.stop();
        await this.leases.release(lease);
      }
      process.stdout.write(JSON.stringify({ rebuildId: id, status: 'completed' }) + '\n');
      return;
    }
    // A running app holds the consumer: file the request and follow its progress.
    const id = await this.rebuilder.request(name, 'cli');
    await this.checkpoints.requestRebuild(name);
    bar.start(1, 0, { rate: 0 });
    for (;;) {
      const rec = (await this.rebuilder.list(name, 20)).find((r) => r.id === id);
      if (rec?.eventsTotal) bar.setTotal(rec.eventsTotal);
      bar.update(rec?.eventsDone ?? 0, { rate: '-' });
      if (rec && (rec.status === 'completed' || rec.status === 'failed')) {
        bar.stop();
        process.stdout.write(JSON.stringify({ rebuildId: id, status: rec.status, error: rec.error }) + '\n');
        if (rec.status === 'failed') process.exitCode = 1;
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

@Command({ name: 'projections', description: 'Read models: list, rebuild', subCommands: [ListProjections, RebuildProjection] })
export class ProjectionsCommand extends CommandRunner {
  static readonly providers: Provider[] = [ListProjections, RebuildProjection];
  async run(): Promise<void> {
    process.stdout.write('usage: projections list | rebuild <name>\n');
  }
}

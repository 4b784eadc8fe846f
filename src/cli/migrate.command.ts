import { Command, CommandRunner } from 'nest-commander';
import { DataSource } from 'typeorm';

@Command({ name: 'migrate', description: 'Apply pending schema migrations (also done at start-up unless MIGRATIONS_RUN_ON_START=false)' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    const pending = await this.dataSource.showMigrations();
    process.stdout.write(
      JSON.stringify({ applied: applied.map((m) => m.name), pending }) + '\n',
    );
  }
}

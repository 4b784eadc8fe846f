import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { InvalidConfigError, loadAppConfig } from './config/app-config';
import { CliModule } from './cli/cli.module';

/** `npm run cli -- <command>`: migrate, partitions list|ensure|detach. Output is JSON on stdout. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  await CommandFactory.run(CliModule.forRoot(config), {
    logger: ['error', 'warn'],
    errorHandler: (err: Error & { code?: string; exitCode?: number }) => {
      // Commander reports --help and --version as "errors" with exit code 0.
      if (err.code?.startsWith('commander.help') || err.code === 'commander.version') process.exit(0);
      process.stderr.write(`${err.message}\n`);
      process.exit(err.exitCode || 1);
    },
  });
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});

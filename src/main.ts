import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { InvalidConfigError, loadAppConfig } from './config/app-config';
import { createApp, installGracefulShutdown } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (err) {
    if (err instanceof InvalidConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(config);
  // Our handler drains HTTP, then app.close() runs every module's shutdown hooks.
  installGracefulShutdown(app, config.SHUTDOWN_TIMEOUT_MS);
  await app.listen(config.PORT, config.HOST);
  const url = await app.getUrl();
  const backend = config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.DATA_DIR}`;
  app.get(Logger).log(`listening on ${url}, database: ${backend}`, 'Bootstrap');
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});

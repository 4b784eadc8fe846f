import { INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from '@libs/common/http/validation.pipe';
import { requestContextMiddleware } from '@libs/common/request-context/request-context.middleware';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';

/** Builds the HTTP application (used by main.ts and by the e2e tests, so both run the same app). */
export async function createApp(
  config: AppConfig,
  options: {
    extraModules?: Type[];
    logger?: false;
    /** Where the JSON log lines go instead of stdout (tests capture them to scan for secrets). */
    logStream?: DestinationStream;
  } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.extraModules, { logStream: options.logStream }), {
    ...(options.logger === false ? { logger: false } : {}),
    bufferLogs: true,
    // Throw start-up errors to the caller (main.ts exits non-zero; tests see the error) instead of process.exit.
    abortOnError: false,
    bodyParser: false,
    rawBody: true,
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  app.use(requestContextMiddleware);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  const docs = openApiSettings(config);
  // Swagger UI needs inline scripts and styles; without it the API serves only JSON and keeps
  // helmet's strict default CSP.
  app.use(
    helmet(
      docs.ui
        ? { contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'", 'https:'] } } }
        : {},
    ),
  );
  app.useBodyParser('json', { limit: config.BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: true });
  app.useGlobalPipes(createValidationPipe());
  if (docs.document) setUpOpenApi(app, docs.ui);
  return app;
}

/**
 * Whether the OpenAPI document and Swagger UI are served. Unset, both are on outside production
 * and off in production: the document is a map of every route (admin and webhook paths
 * included) that clients of a deployment do not need at run time, and the UI needs inline
 * scripts in the CSP. A deployment that wants them sets OPENAPI_ENABLED / SWAGGER_UI_ENABLED.
 */
export function openApiSettings(config: Pick<AppConfig, 'NODE_ENV' | 'OPENAPI_ENABLED' | 'SWAGGER_UI_ENABLED'>): { document: boolean; ui: boolean } {
  const document = config.OPENAPI_ENABLED ?? config.NODE_ENV !== 'production';
  return { document, ui: document && (config.SWAGGER_UI_ENABLED ?? true) };
}

function setUpOpenApi(app: INestApplication, ui: boolean): void {
  const doc = new DocumentBuilder()
    .setTitle('Conversation intelligence API')
    .setDescription('Knowledge, feedback, tasks, CRM and outreach from a company\'s conversations. Errors are application/problem+json.')
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', ui });
}

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, then close workers and the database. */
export function installGracefulShutdown(app: INestApplication, timeoutMs: number): void {
  let closing = false;
  const logger = new NestLogger('Shutdown');
  const onSignal = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining`);
    const server = app.getHttpServer();
    server.closeIdleConnections?.();
    const force = setTimeout(() => {
      logger.warn(`still busy after ${timeoutMs} ms: closing connections`);
      server.closeAllConnections?.();
    }, timeoutMs);
    force.unref();
    try {
      await app.close();
      process.exitCode = 0;
    } catch (err) {
      logger.error(err);
      process.exitCode = 1;
    } finally {
      clearTimeout(force);
    }
  };
  process.once('SIGTERM', () => void onSignal('SIGTERM'));
  process.once('SIGINT', () => void onSignal('SIGINT'));
}

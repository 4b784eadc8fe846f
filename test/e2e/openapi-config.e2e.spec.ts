import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { openApiSettings } from '@app/bootstrap';
import { createTestApp, createTestAppDatabase, TestAppDatabase } from '@test/support/test-app';

/**
 * Issue 11 item 13: the OpenAPI document and Swagger UI are config (OPENAPI_ENABLED,
 * SWAGGER_UI_ENABLED), on by default outside production and off by default in production.
 * (The development default, both served, is app.e2e.spec.ts.)
 */
describe('OpenAPI document and Swagger UI by config (e2e)', () => {
  let database: TestAppDatabase | undefined;
  // One keyring for the apps that share the database (production on DATABASE_URL requires one).
  const keys = `k1:${randomBytes(32).toString('base64')}`;

  beforeAll(async () => {
    database = await createTestAppDatabase();
  });
  afterAll(() => database?.close());

  async function withApp(env: Record<string, string>, fn: (app: NestExpressApplication) => Promise<void>): Promise<void> {
    const { app, close } = await createTestApp({ database, env: { RUN_SUBSCRIPTIONS: 'false', SECRETS_KEYS: keys, ...env } });
    try {
      await fn(app);
    } finally {
      await close();
    }
  }

  it('in production serves neither by default (404 problem+json), and allows no inline script in the CSP', async () => {
    await withApp({ NODE_ENV: 'production' }, async (app) => {
      const http = () => request(app.getHttpServer());
      await http().get('/api/docs-json').expect(404).expect('content-type', /problem\+json/);
      await http().get('/api/docs-yaml').expect(404);
      await http().get('/api/docs').expect(404);
      const health = await http().get('/health').expect(200);
      expect(health.headers['content-security-policy']).toContain("script-src 'self';");
    });
  });

  it('serves the document without the UI when asked to (OPENAPI_ENABLED=true, SWAGGER_UI_ENABLED=false), in production too', async () => {
    await withApp({ NODE_ENV: 'production', OPENAPI_ENABLED: 'true', SWAGGER_UI_ENABLED: 'false' }, async (app) => {
      const http = () => request(app.getHttpServer());
      const doc = await http().get('/api/docs-json').expect(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      await http().get('/api/docs').expect(404);
    });
  });

  it('resolves the defaults: on outside production, off in production, the UI never without the document', () => {
    expect(openApiSettings({ NODE_ENV: 'development' })).toEqual({ document: true, ui: true });
    expect(openApiSettings({ NODE_ENV: 'test' })).toEqual({ document: true, ui: true });
    expect(openApiSettings({ NODE_ENV: 'production' })).toEqual({ document: false, ui: false });
    expect(openApiSettings({ NODE_ENV: 'production', OPENAPI_ENABLED: true })).toEqual({ document: true, ui: true });
    expect(openApiSettings({ NODE_ENV: 'production', OPENAPI_ENABLED: true, SWAGGER_UI_ENABLED: false })).toEqual({ document: true, ui: false });
    expect(openApiSettings({ NODE_ENV: 'development', OPENAPI_ENABLED: false, SWAGGER_UI_ENABLED: true })).toEqual({ document: false, ui: false });
  });
});

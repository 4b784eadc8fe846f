import { CommandFactory } from 'nest-commander';
import { CliModule } from '@app/cli/cli.module';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { formatSecretKey } from '@libs/common/crypto/secret-keys';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { createTestApp, TestApp } from '@test/support/test-app';

/**
 * `projections rebuild`, `subjects erase` and `secrets rotate` run in the CLI, which loads each
 * module's projections module rather than the app: a read model the app registers but the CLI
 * does not know cannot be rebuilt or scrubbed from the command line. Each new module adds its
 * projections module to the CLI; this fails when one is forgotten.
 */
describe('the CLI knows every read model and private event type the app has', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One keyring for both (the CLI opens the platform secrets the app sealed).
    t = await createTestApp({ env: { SECRETS_KEYS: formatSecretKey(SecretBox.generateKey('k1')) } });
  });
  afterAll(() => t?.close());

  it('registers the same projections and the same private event types', async () => {
    const appProjections = t.app.get(ProjectionRegistry).all().map((p) => p.name).sort();
    const appPrivate = [...t.app.get(EventTypeRegistry).privateTypesByOwnerPath().values()].flat().sort();
    expect(appProjections).toEqual(expect.arrayContaining(['analysis.runs', 'identity.api-keys']));
    const cli = await CommandFactory.createWithoutRunning(CliModule.forRoot(t.config), { logger: false });
    try {
      expect(cli.get(ProjectionRegistry).all().map((p) => p.name).sort()).toEqual(appProjections);
      expect([...cli.get(EventTypeRegistry).privateTypesByOwnerPath().values()].flat().sort()).toEqual(appPrivate);
    } finally {
      await cli.close();
    }
  });
});

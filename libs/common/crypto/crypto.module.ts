import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { EncryptedColumns } from './encrypted-columns';
import { SecretBox, SecretKey } from './secret-box';
import { resolveSecretKeys } from './secret-keys';

export interface CryptoModuleOptions {
  /** Parsed SECRETS_KEYS (first = active); unset: see resolveSecretKeys. */
  keys?: SecretKey[];
  databaseUrl?: string;
  dataDir: string;
  nodeEnv: string;
}

/**
 * Secrets at rest for every module: `SecretBox` (AES-256-GCM with a rotating keyring) and the
 * `EncryptedColumns` registry that `secrets rotate` walks. Global, imported once by the app and
 * the CLI. The keyring is resolved when the module is instantiated, so a missing production key
 * stops start-up before anything listens.
 */
@Global()
@Module({})
export class CryptoModule {
  static forRoot(options: CryptoModuleOptions): DynamicModule {
    return {
      module: CryptoModule,
      providers: [
        {
          provide: SecretBox,
          useFactory: () => {
            const resolved = resolveSecretKeys({
              configured: options.keys,
              databaseUrl: options.databaseUrl,
              dataDir: options.dataDir,
              nodeEnv: options.nodeEnv,
            });
            const logger = new Logger('Secrets');
            if (resolved.source === 'ephemeral' && options.databaseUrl) logger.warn(resolved.note);
            else logger.log(`keyring from ${resolved.note}`);
            return new SecretBox(resolved.keys);
          },
        },
        { provide: EncryptedColumns, useValue: new EncryptedColumns() },
      ],
      exports: [SecretBox, EncryptedColumns],
    };
  }
}

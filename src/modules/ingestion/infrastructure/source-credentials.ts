import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';

/** What each kind of source needs (API.md), checked before anything is stored. */
const SHAPES: Record<SourceKind, { required: string[]; optional: string[] }> = {
  slack: { required: ['signingSecret'], optional: ['botToken'] },
  telegram: { required: ['secretToken'], optional: ['botToken'] },
  chatwoot: { required: ['baseUrl', 'apiToken', 'accountId'], optional: ['hmacToken'] },
  gong: { required: ['accessKey', 'secretKey'], optional: ['baseUrl', 'webhookSecret'] },
  fathom: { required: ['apiToken'], optional: ['webhookSecret'] },
  gmail: { required: [], optional: ['accessToken', 'refreshToken'] },
  email: { required: [], optional: ['webhookSecret'] },
  api: { required: [], optional: ['webhookSecret'] },
};

export type Credentials = Record<string, string>;

const aad = (sourceId: string) => `ingestion-source:${sourceId}`;

/**
 * Connector credentials: validated per kind, sealed with the SecretBox before they enter an
 * event (the log keeps them forever), decrypted only when a connector needs them. The read
 * model's column is registered for `secrets rotate`.
 */
@Injectable()
export class SourceCredentials {
  constructor(
    private readonly box: SecretBox,
    columns: EncryptedColumns,
  ) {
    columns.register({ table: 'ingestion_sources_view', idColumn: 'id', column: 'credentials_ciphertext', aad });
  }

  validate(kind: SourceKind, credentials: unknown, required = true): Credentials | null {
    const shape = SHAPES[kind];
    if (credentials === undefined || credentials === null) {
      if (required && shape.required.length) {
        throw new ValidationFailedError(`A ${kind} source needs credentials`, shape.required.map((f) => ({ field: `credentials.${f}`, message: `${f} is required` })));
      }
      return null;
    }
    if (typeof credentials !== 'object' || Array.isArray(credentials)) {
      throw new ValidationFailedError('credentials must be an object', [{ field: 'credentials', message: 'must be an object' }]);
    }
    const c = credentials as Record<string, unknown>;
    const errors = [
      ...shape.required.filter((f) => typeof c[f] !== 'string' && typeof c[f] !== 'number').map((f) => ({ field: `credentials.${f}`, message: `${f} is required` })),
      ...Object.keys(c).filter((f) => !shape.required.includes(f) && !shape.optional.includes(f)).map((f) => ({ field: `credentials.${f}`, message: `${f} is not a ${kind} credential` })),
      ...Object.entries(c).filter(([, v]) => (typeof v === 'string' && (v.length === 0 || v.length > 4096)) || (typeof v !== 'string' && typeof v !== 'number')).map(([f]) => ({ field: `credentials.${f}`, message: `${f} must be a non-empty string` })),
    ];
    if (kind === 'chatwoot' && typeof c.baseUrl === 'string' && !/^https?:\/\/[^\s]+$/.test(c.baseUrl)) errors.push({ field: 'credentials.baseUrl', message: 'baseUrl must be an http(s) URL' });
    if (errors.length) throw new ValidationFailedError(`The ${kind} credentials are not valid`, errors);
    return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]));
  }

  seal(sourceId: string, credentials: Credentials | null): string | null {
    return credentials ? this.box.encrypt(JSON.stringify(credentials), aad(sourceId)) : null;
  }

  open(sourceId: string, ciphertext: string | null): Credentials | null {
    return ciphertext ? (JSON.parse(this.box.decrypt(ciphertext, aad(sourceId))) as Credentials) : null;
  }

  /** The provider account a source binds (seed 002 unique(source_kind, external_id)). */
  externalIdOf(kind: SourceKind, credentials: Credentials | null, config: Record<string, unknown>): string | null {
    if (kind === 'chatwoot' && credentials) return `${credentials.baseUrl.replace(/\/+$/, '')}#${credentials.accountId}`;
    if (kind === 'slack' && typeof config.teamId === 'string') return config.teamId;
    if (kind === 'telegram' && credentials?.botToken) return credentials.botToken.split(':')[0];
    // The access key names the Gong account but is half of a credential: bind by its hash, never in clear.
    if (kind === 'gong' && credentials) return `key-sha256:${createHash('sha256').update(credentials.accessKey).digest('hex').slice(0, 32)}`;
    return typeof config.externalId === 'string' ? config.externalId : null;
  }
}

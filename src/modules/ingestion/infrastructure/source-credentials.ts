import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
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
  private readonly allowPrivateHosts: boolean;

  constructor(
    private readonly box: SecretBox,
    columns: EncryptedColumns,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    columns.register({ table: 'ingestion_sources_view', idColumn: 'id', column: 'credentials_ciphertext', aad });
    this.allowPrivateHosts = config.CONNECTOR_ALLOW_PRIVATE_HOSTS ?? config.NODE_ENV !== 'production';
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
    if (typeof c.baseUrl === 'string') {
      const problem = this.baseUrlProblem(c.baseUrl);
      if (problem) errors.push({ field: 'credentials.baseUrl', message: problem });
    }
    if (errors.length) throw new ValidationFailedError(`The ${kind} credentials are not valid`, errors);
    return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]));
  }

  /**
   * Connectors call the base URL with the source's secrets and show excerpts of the answers in job
   * errors: refuse URLs that are not http(s), and (in production) hosts on private, loopback,
   * link-local or metadata addresses, so a workspace admin cannot aim the platform inward.
   */
  private baseUrlProblem(value: string): string | null {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'baseUrl must be an http(s) URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'baseUrl must be an http(s) URL';
    if (url.username || url.password) return 'baseUrl must not carry credentials';
    if (!this.allowPrivateHosts && isPrivateHost(url.hostname)) return 'baseUrl points to a private, loopback or link-local address';
    return null;
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

/** Loopback, private (RFC 1918, ULA), link-local (incl. cloud metadata) and unspecified hosts. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return true;
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(host) === 6) return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:');
  return false;
}

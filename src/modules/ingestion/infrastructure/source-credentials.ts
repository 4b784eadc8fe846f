import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { EncryptedColumns } from '@libs/common/crypto/encrypted-columns';
import { SecretBox } from '@libs/common/crypto/secret-box';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { checkHostName, describeRefusal, OutboundAllowList } from '@libs/common/net/address-policy';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { GONG_DEFAULT_BASE_URL } from './connectors/gong.client';

/** What each kind of source needs (docs/api.md), checked before anything is stored. */
const SHAPES: Record<SourceKind, { required: string[]; optional: string[] }> = {
  slack: { required: ['signingSecret'], optional: ['botToken'] },
  telegram: { required: ['secretToken'], optional: ['botToken'] },
  chatwoot: { required: ['baseUrl', 'apiToken', 'accountId'], optional: ['hmacToken'] },
  gong: { required: ['accessKey', 'secretKey'], optional: ['baseUrl', 'webhookSecret'] },
  fathom: { required: ['apiToken'], optional: ['webhookSecret'] },
  // A gmail source reads a linked Google account (config.oauthAccountId): its tokens stay with identity.
  gmail: { required: [], optional: [] },
  email: { required: [], optional: ['webhookSecret'] },
  api: { required: [], optional: ['webhookSecret'] },
  imap: { required: ['host', 'username', 'password'], optional: ['port', 'tls', 'allowSelfSigned'] },
  // Reads a linked Microsoft account (config.oauthAccountId): identity holds its tokens, the source none.
  microsoft365: { required: [], optional: [] },
};

/** IMAP's switches: booleans (kept as 'true'/'false' like every credential value); `tls` may also name the mode. */
const IMAP_FLAGS: Record<string, readonly string[]> = { tls: ['true', 'false', 'implicit', 'starttls'], allowSelfSigned: ['true', 'false'] };

export type Credentials = Record<string, string>;

const aad = (sourceId: string) => `ingestion-source:${sourceId}`;

/**
 * Connector credentials: validated per kind, sealed with the SecretBox before they enter an
 * event (the log keeps them forever), decrypted only when a connector needs them. The read
 * model's column is registered for `secrets rotate`.
 */
@Injectable()
export class SourceCredentials {
  private readonly allowList: OutboundAllowList;

  constructor(
    private readonly box: SecretBox,
    columns: EncryptedColumns,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    columns.register({ table: 'ingestion_sources_view', idColumn: 'id', column: 'credentials_ciphertext', aad });
    this.allowList = OutboundAllowList.parse(config.CONNECTOR_ALLOWED_HOSTS);
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
    const c = { ...(credentials as Record<string, unknown>) };
    if (kind === 'imap') for (const f of Object.keys(IMAP_FLAGS)) if (typeof c[f] === 'boolean') c[f] = String(c[f]);
    const errors = [
      ...shape.required.filter((f) => typeof c[f] !== 'string' && typeof c[f] !== 'number').map((f) => ({ field: `credentials.${f}`, message: `${f} is required` })),
      ...Object.keys(c).filter((f) => !shape.required.includes(f) && !shape.optional.includes(f)).map((f) => ({ field: `credentials.${f}`, message: `${f} is not a ${kind} credential` })),
      ...Object.entries(c).filter(([, v]) => (typeof v === 'string' && (v.length === 0 || v.length > 4096)) || (typeof v !== 'string' && typeof v !== 'number')).map(([f]) => ({ field: `credentials.${f}`, message: `${f} must be a non-empty string` })),
    ];
    if (typeof c.baseUrl === 'string') {
      const problem = this.baseUrlProblem(c.baseUrl);
      if (problem) errors.push({ field: 'credentials.baseUrl', message: problem });
    }
    if (kind === 'imap') errors.push(...this.imapProblems(c));
    if (errors.length) throw new ValidationFailedError(`The ${kind} credentials are not valid`, errors);
    return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]));
  }

  /**
   * Connectors call the base URL with the source's secrets: refuse URLs that are not http(s), and
   * hosts already known to be inward (IP literals in any form, localhost, metadata names) unless
   * CONNECTOR_ALLOWED_HOSTS lets them, for an early answer. This is not the defence: every
   * connection is checked again at connect time on the addresses the name resolves to
   * (libs/common/net/outbound-guard), whatever was saved.
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
    const refusal = checkHostName(url.hostname, this.allowList);
    return refusal ? `baseUrl is refused: ${describeRefusal(refusal)}` : null;
  }

  /**
   * The IMAP server is reached with the mailbox password: the host gets the early check a base
   * URL gets (the connect-time check on resolved addresses is the defence), the port a range,
   * the switches their values.
   */
  private imapProblems(c: Record<string, unknown>): { field: string; message: string }[] {
    const errors: { field: string; message: string }[] = [];
    if (typeof c.host === 'string' && c.host) {
      const host = c.host.trim();
      if (!/^[A-Za-z0-9.\-:[\]]+$/.test(host)) errors.push({ field: 'credentials.host', message: 'host must be a host name or an IP address (no scheme, port or path)' });
      else {
        const refusal = checkHostName(host.replace(/^\[(.*)\]$/, '$1'), this.allowList);
        if (refusal) errors.push({ field: 'credentials.host', message: `host is refused: ${describeRefusal(refusal)}` });
      }
    }
    if (c.port !== undefined) {
      const port = Number(c.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push({ field: 'credentials.port', message: 'port must be a whole number from 1 to 65535' });
    }
    for (const [f, allowed] of Object.entries(IMAP_FLAGS)) {
      if (c[f] !== undefined && !allowed.includes(String(c[f]))) errors.push({ field: `credentials.${f}`, message: `${f} must be one of ${allowed.join(', ')}` });
    }
    return errors;
  }

  seal(sourceId: string, credentials: Credentials | null): string | null {
    return credentials ? this.box.encrypt(JSON.stringify(credentials), aad(sourceId)) : null;
  }

  open(sourceId: string, ciphertext: string | null): Credentials | null {
    return ciphertext ? (JSON.parse(this.box.decrypt(ciphertext, aad(sourceId))) as Credentials) : null;
  }

  /**
   * The provider account a source NAMES (seed 002 unique(source_kind, external_id)); bound to the
   * workspace only once proven (AccountProofs). It must say where the proof comes from: a proof
   * from a server the admin chose proves nothing about another server's account, so accounts of
   * admin-given base URLs carry that base URL.
   */
  externalIdOf(kind: SourceKind, credentials: Credentials | null, config: Record<string, unknown>): string | null {
    if (kind === 'chatwoot' && credentials) return `${credentials.baseUrl.replace(/\/+$/, '')}#${credentials.accountId}`;
    if (kind === 'slack' && typeof config.teamId === 'string') return config.teamId;
    if (kind === 'telegram' && credentials?.botToken) return credentials.botToken.split(':')[0];
    // The access key names the Gong account but is half of a credential: bind by its hash, never in clear.
    if (kind === 'gong' && credentials) {
      const key = `key-sha256:${createHash('sha256').update(credentials.accessKey).digest('hex').slice(0, 32)}`;
      const base = credentials.baseUrl?.replace(/\/+$/, '');
      return base && base !== GONG_DEFAULT_BASE_URL ? `${key}@${base}` : key;
    }
    // A mailbox is its user on its server; the user (often a person's address) is bound by its hash, not written in clear into the log.
    if (kind === 'imap' && credentials) {
      const user = createHash('sha256').update(credentials.username.trim().toLowerCase()).digest('hex').slice(0, 32);
      return `user-sha256:${user}@${credentials.host.trim().toLowerCase()}:${imapPort(credentials)}`;
    }
    return typeof config.externalId === 'string' ? config.externalId : null;
  }
}

/** How an IMAP source's connection is protected: TLS from the first byte, STARTTLS (required), or none (only when `tls` is false). */
export type ImapSecurity = 'implicit' | 'starttls' | 'none';

export function imapSecurity(c: Credentials): ImapSecurity {
  const tls = c.tls ?? 'true';
  if (tls === 'false') return 'none';
  if (tls === 'implicit' || tls === 'starttls') return tls;
  // tls true: the port says which (993 is IMAPS; any other port upgrades with STARTTLS, which must succeed).
  return c.port === undefined || Number(c.port) === 993 ? 'implicit' : 'starttls';
}

export function imapPort(c: Credentials): number {
  if (c.port !== undefined) return Number(c.port);
  return imapSecurity(c) === 'implicit' ? 993 : 143;
}

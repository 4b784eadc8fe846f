import { Injectable, Logger } from '@nestjs/common';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { ChatwootClient } from '@modules/ingestion/infrastructure/connectors/chatwoot.client';
import { ConnectorHttp } from '@modules/ingestion/infrastructure/connectors/connector-http';
import { GongClient } from '@modules/ingestion/infrastructure/connectors/gong.client';
import { connectImap, ImapConnectorError } from '@modules/ingestion/infrastructure/connectors/imap.client';
import { ProviderHttpError } from '@modules/ingestion/infrastructure/connectors/provider-http';
import { SlackClient } from '@modules/ingestion/infrastructure/connectors/slack.client';
import { TelegramClient } from '@modules/ingestion/infrastructure/connectors/telegram.client';
import { Credentials, SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';

export type AccountProof =
  /** A successful authenticated call answered the account the source names. */
  | { status: 'proven'; externalId: string }
  /** The source names an account the credentials did not (or could not) prove; `reason` is safe to show. */
  | { status: 'unproven'; externalId: string; reason: string }
  /** The source names no provider account. */
  | { status: 'nothing-named' };

/** One attempt, short: a proof runs while an admin waits for the answer to connecting a source. */
const PROOF_TIMEOUT_MS = 10_000;

/**
 * Proof that a source's credentials speak for the provider account it names, before that account
 * is bound to the workspace (the unique claim): otherwise whoever names an account first (a Slack
 * team id, a Chatwoot account) would lock its real owner out. A proof is a successful call with the
 * credentials that answers that very account:
 * - Slack: auth.test with the bot token answers the team id;
 * - Telegram: getMe with the bot token answers the bot id;
 * - Chatwoot: the token's profile lists the account (the base URL is part of the account's name);
 * - Gong: any authenticated call succeeds with the key (a base URL other than Gong's is part of the name);
 * - IMAP: a login to the server with the username and password (the server is part of the name).
 * A signed webhook is NOT a proof: its secret is whatever the connecting admin typed, so anyone can
 * sign a payload naming any team. Other kinds name accounts that cannot be proven: never bound.
 */
@Injectable()
export class AccountProofs {
  private readonly logger = new Logger('AccountProofs');

  constructor(
    private readonly net: ConnectorHttp,
    private readonly credentials: SourceCredentials,
  ) {}

  async prove(kind: SourceKind, creds: Credentials | null, config: Record<string, unknown>, signal?: AbortSignal): Promise<AccountProof> {
    const named = this.credentials.externalIdOf(kind, creds, config);
    if (!named) return { status: 'nothing-named' };
    const unproven = (reason: string): AccountProof => ({ status: 'unproven', externalId: named, reason });
    const http = this.net.options({ retry: { maxAttempts: 1, timeoutMs: PROOF_TIMEOUT_MS } });
    try {
      switch (kind) {
        case 'chatwoot': {
          if (!creds) return unproven('the Chatwoot source has no credentials');
          const profile = await new ChatwootClient({ baseUrl: creds.baseUrl, apiToken: creds.apiToken, accountId: creds.accountId }, http).profile(signal);
          const member = Array.isArray(profile.accounts) && profile.accounts.some((a) => String(a?.id) === String(creds.accountId));
          return member ? { status: 'proven', externalId: named } : unproven(`the Chatwoot token is not a member of account ${creds.accountId}`);
        }
        case 'gong': {
          if (!creds) return unproven('the Gong source has no credentials');
          await new GongClient({ accessKey: creds.accessKey, secretKey: creds.secretKey, baseUrl: creds.baseUrl }, http).workspaces(signal);
          return { status: 'proven', externalId: named };
        }
        case 'slack': {
          if (!creds?.botToken) return unproven('a bot token (credentials.botToken) is needed to prove the Slack team');
          const { teamId } = await new SlackClient(creds.botToken, { ...http, apiBase: this.net.slackApiBase }).authTest(signal);
          return teamId === named ? { status: 'proven', externalId: named } : unproven('the bot token belongs to another Slack team than config.teamId');
        }
        case 'telegram': {
          if (!creds?.botToken) return unproven('the Telegram source has no bot token');
          const { botId } = await new TelegramClient(creds.botToken, { ...http, apiBase: this.net.telegramApiBase }).getMe(signal);
          return botId === named ? { status: 'proven', externalId: named } : unproven('the bot token answers for another bot');
        }
        case 'imap': {
          if (!creds) return unproven('the IMAP source has no credentials');
          const client = await connectImap(creds, { guard: this.net.guard, timeoutMs: PROOF_TIMEOUT_MS });
          await client.logout().catch(() => client.close());
          return { status: 'proven', externalId: named };
        }
        default:
          return unproven(`the account of a ${kind} source cannot be proven with its credentials`);
      }
    } catch (err) {
      // The provider's messages are already safe (status and a fixed description); anything else is not shown.
      if (err instanceof ProviderHttpError || err instanceof ImapConnectorError) return unproven(err.message);
      if (signal?.aborted) throw err;
      this.logger.warn({ err, kind }, 'proving a source account failed');
      return unproven('the provider could not be reached');
    }
  }
}

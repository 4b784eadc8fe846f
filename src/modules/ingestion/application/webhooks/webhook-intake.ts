import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { UnsupportedMediaTypeError, ValidationFailedError } from '@libs/common/errors/application-error';
import { SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';
import { IngestionError, IngestionErrorCode } from '@modules/ingestion/domain/ingestion.errors';
import { IncomingMessage } from '@modules/ingestion/domain/message/incoming-message';
import { ContactInput, ConversationInput, ConversationWriter } from '@modules/ingestion/infrastructure/conversation-writer';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { MessageWriter, SourceRef, WriteContext } from '@modules/ingestion/infrastructure/message-writer';
import { SourceCredentials } from '@modules/ingestion/infrastructure/source-credentials';
import { mapChatwoot } from './chatwoot.mapper';
import { verifyChatwoot } from './chatwoot.verifier';
import { mapFathom } from './fathom.mapper';
import { verifyFathom } from './fathom.verifier';
import { mapGong } from './gong.mapper';
import { verifyGong } from './gong.verifier';
import { mapSignedJson } from './signed-json.mapper';
import { verifySignedJson } from './signed-json.verifier';
import { mapSlack } from './slack.mapper';
import { verifySlack } from './slack.verifier';
import { mapTelegram } from './telegram.mapper';
import { verifyTelegram } from './telegram.verifier';
import { MappedDelivery, WebhookAction } from './webhook-actions';
import { WebhookDeliveries } from './webhook-deliveries';
import { SignedRequest, Verification } from './webhook-signatures';

/** The kinds that have a webhook here (gmail's push goes through Pub/Sub and its sync). */
export const WEBHOOK_KINDS = ['slack', 'telegram', 'chatwoot', 'fathom', 'gong', 'api', 'email'] as const satisfies readonly SourceKind[];
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received (JSON bodies only): every signature is checked on these. */
  rawBody: Buffer | undefined;
  body: unknown;
}

export type WebhookAnswer =
  | { challenge: string }
  | {
      ok: true;
      /** New messages stored by this delivery. */
      stored: number;
      /** Messages (or changes) that were already stored: a redelivery, a retry, the same message from an import. */
      duplicates: number;
      /** Edits, deletions, conversation and contact updates applied. */
      updated: number;
      /** Events of the payload that carry nothing to store, with why (the first 20). */
      ignored: number;
      reasons: string[];
    };

const MAX_REASONS = 20;

/**
 * The provider webhooks: finds the source the path names, verifies the provider's signature on
 * the exact bytes received (nothing is read from the payload before that), maps the payload with
 * the provider's pure mapper and applies the actions. Unknown, inactive and other-kind sources
 * all answer the same 404, so the endpoint does not tell which source ids exist.
 */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly queries: IngestionQueries,
    private readonly credentials: SourceCredentials,
    private readonly writer: MessageWriter,
    private readonly conversations: ConversationWriter,
    private readonly deliveries: WebhookDeliveries,
  ) {}

  async receive(kind: string, sourceId: string, req: WebhookRequest, correlationId: string | null, now = new Date()): Promise<WebhookAnswer> {
    if (!(WEBHOOK_KINDS as readonly string[]).includes(kind)) {
      throw new IngestionError(IngestionErrorCode.WebhookKindMismatch, `There is no ${kind} webhook; webhooks exist for ${WEBHOOK_KINDS.join(', ')}`);
    }
    const row = isUUID(sourceId) ? await this.queries.sourceById(sourceId) : null;
    if (!row || !row.is_active || row.kind !== kind) throw new IngestionError(IngestionErrorCode.SourceNotFound, `No active ${kind} source with this id`);
    if (!req.rawBody) throw new UnsupportedMediaTypeError('Webhooks take application/json bodies');
    const source: SourceRef = { id: row.id, kind: row.kind as SourceKind, workspaceId: row.workspace_id };
    const creds = this.credentials.open(row.id, row.credentials_ciphertext) ?? {};
    const signed: SignedRequest = { headers: req.headers, rawBody: req.rawBody };

    const verification = this.verify(kind as WebhookKind, signed, creds, row.config ?? {}, source.id, now);
    if (!verification.ok) throw new IngestionError(IngestionErrorCode.WebhookSignatureInvalid, verification.detail, { reason: verification.reason });

    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      throw new ValidationFailedError('The webhook body must be a JSON object', [{ field: '', message: 'must be a JSON object' }]);
    }
    const mapped = this.map(kind as WebhookKind, req.body, now);
    if (mapped.challenge !== undefined) return { challenge: mapped.challenge };
    const deliveryId = verification.deliveryId ?? mapped.deliveryId;
    const answer = { ok: true as const, stored: 0, duplicates: 0, updated: 0, ignored: 0, reasons: [] as string[] };
    if (deliveryId && (await this.deliveries.seen(source.id, deliveryId))) {
      answer.duplicates = mapped.actions.filter((a) => a.kind !== 'ignored').length;
      answer.ignored = mapped.actions.length - answer.duplicates;
      return answer;
    }
    await this.apply(source, mapped.actions, { importJobId: null, actorId: `webhook:${kind}`, correlationId }, answer);
    if (deliveryId) await this.deliveries.record(source.id, deliveryId);
    return answer;
  }

  private verify(kind: WebhookKind, req: SignedRequest, creds: Record<string, string>, config: Record<string, unknown>, sourceId: string, now: Date): Verification {
    switch (kind) {
      case 'slack':
        return verifySlack(req, creds.signingSecret, now);
      case 'telegram':
        return verifyTelegram(req, creds.secretToken);
      case 'chatwoot':
        return verifyChatwoot(req, creds.hmacToken, now);
      case 'fathom':
        return verifyFathom(req, creds.webhookSecret);
      case 'gong':
        return verifyGong(req, { publicKey: typeof config.webhookPublicKey === 'string' ? config.webhookPublicKey : undefined, webhookSecret: creds.webhookSecret }, `/webhooks/gong/${sourceId}`, now);
      case 'api':
      case 'email':
        return verifySignedJson(req, creds.webhookSecret);
    }
  }

  private map(kind: WebhookKind, body: unknown, now: Date): MappedDelivery {
    switch (kind) {
      case 'slack':
        return mapSlack(body);
      case 'telegram':
        return mapTelegram(body);
      case 'chatwoot':
        return mapChatwoot(body, now.toISOString());
      case 'fathom':
        return mapFathom(body);
      case 'gong':
        return mapGong(body);
      case 'api':
      case 'email':
        return mapSignedJson(body);
    }
  }

  /** New messages first (one statement for the batch), then changes to stored ones, then conversations and contacts. */
  private async apply(source: SourceRef, actions: WebhookAction[], ctx: WriteContext, answer: Extract<WebhookAnswer, { ok: true }>): Promise<void> {
    const messages: IncomingMessage[] = [];
    const conversations: ConversationInput[] = [];
    const contacts: ContactInput[] = [];
    const changes: Extract<WebhookAction, { kind: 'edit' | 'delete' }>[] = [];
    for (const a of actions) {
      if (a.kind === 'message') messages.push(a.message);
      else if (a.kind === 'edit' || a.kind === 'delete') changes.push(a);
      else if (a.kind === 'conversation') conversations.push(a.conversation);
      else if (a.kind === 'contact') contacts.push(a.contact);
      else {
        answer.ignored++;
        if (answer.reasons.length < MAX_REASONS) answer.reasons.push(a.reason);
      }
    }
    if (messages.length) {
      const out = await this.writer.ingest(source, messages, ctx);
      answer.stored += out.stored.length;
      answer.duplicates += out.duplicates.length;
      for (const r of out.rejected) {
        answer.ignored++;
        if (answer.reasons.length < MAX_REASONS) answer.reasons.push(`message ${messages[r.index].externalId} not stored: ${r.reason}`);
      }
    }
    for (const c of changes) {
      const outcome = await this.change(source, c, ctx);
      if (outcome === 'applied') answer.updated++;
      else if (outcome === 'unchanged') answer.duplicates++;
      else {
        answer.ignored++;
        if (answer.reasons.length < MAX_REASONS) answer.reasons.push(`${c.kind} of a message that is not stored (${c.externalId})`);
      }
    }
    answer.updated += await this.conversations.write(source, { conversations, contacts }, ctx);
  }

  /**
   * An edit that changes nothing (Slack re-sends a message to add a link preview, Chatwoot when a
   * message is read) or a second deletion appends nothing: the log keeps facts, not echoes.
   */
  private async change(source: SourceRef, c: Extract<WebhookAction, { kind: 'edit' | 'delete' }>, ctx: WriteContext): Promise<'applied' | 'unchanged' | 'unknown'> {
    const current = await this.queries.message(source.workspaceId, this.writer.messageIdOf(source.id, c.externalId));
    if (!current) return 'unknown';
    if (c.kind === 'edit') {
      if (current.deletedAt || current.content === c.content) return 'unchanged';
      return (await this.writer.change(source, c.externalId, 'ingestion.message-edited', { content: c.content, editedAt: c.editedAt }, ctx)) ? 'applied' : 'unknown';
    }
    if (current.deletedAt) return 'unchanged';
    return (await this.writer.change(source, c.externalId, 'ingestion.message-deleted', { deletedAt: c.deletedAt }, ctx)) ? 'applied' : 'unknown';
  }
}

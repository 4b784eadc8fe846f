import { Controller, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '@libs/common/request-context/request-context';
import { WEBHOOK_KINDS, WebhookIntake } from './webhook-intake';

/**
 * POST /api/v1/webhooks/:kind/:sourceId: public (the provider calls it, no user token); the
 * provider's signature or secret, checked on the exact bytes received, is the authentication.
 */
@ApiTags('ingestion-webhooks')
@Controller('api/v1/webhooks')
export class WebhooksHttpController {
  constructor(private readonly intake: WebhookIntake) {}

  @Post(':kind/:sourceId')
  @HttpCode(200)
  @ApiOperation({
    summary: "Receive a provider's webhook (its own payload and signature) for one source",
    description: [
      'slack: Events API (url_verification answers { challenge }; message, thread replies, message_changed, message_deleted); X-Slack-Signature + X-Slack-Request-Timestamp (5 min) with credentials.signingSecret.',
      'telegram: Bot API Update (message, channel_post, edited_message, edited_channel_post); X-Telegram-Bot-Api-Secret-Token = credentials.secretToken.',
      'chatwoot: message_created, message_updated, conversation_created, conversation_status_changed, conversation_updated, contact_created, contact_updated; X-Chatwoot-Signature (sha256=HMAC of "{X-Chatwoot-Timestamp}.{body}", 5 min) with credentials.hmacToken, required.',
      'fathom: new meeting content ready; Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) with credentials.webhookSecret.',
      'gong: automation-rule webhook { callData, isTest } with the signed JWT Authorization header (config.webhookPublicKey), or { callTranscripts, calls? } relayed with X-Signature (credentials.webhookSecret).',
      'api, email: { messages: [import items] } with X-Signature: sha256=<hex HMAC-SHA256 of the body> (credentials.webhookSecret).',
      'A redelivery (same provider delivery id or same messages) stores nothing new.',
    ].join('\n\n'),
  })
  @ApiParam({ name: 'kind', enum: WEBHOOK_KINDS })
  @ApiParam({ name: 'sourceId', description: 'The source (its kind must be :kind)', format: 'uuid' })
  @ApiHeader({ name: 'X-Slack-Signature', required: false })
  @ApiHeader({ name: 'X-Telegram-Bot-Api-Secret-Token', required: false })
  @ApiHeader({ name: 'X-Chatwoot-Signature', required: false })
  @ApiHeader({ name: 'webhook-signature', required: false, description: 'Standard Webhooks (Fathom), with webhook-id and webhook-timestamp' })
  @ApiHeader({ name: 'X-Signature', required: false, description: 'sha256=<hex>: generic signed JSON webhook and Gong relays' })
  @ApiOkResponse({ description: '{ ok: true, stored, duplicates, updated, ignored, reasons } (Slack url_verification: { challenge })' })
  @ApiUnauthorizedResponse({ description: 'INGESTION.WEBHOOK_SIGNATURE_INVALID: bad or missing signature, stale timestamp, or no secret configured; nothing is stored' })
  @ApiNotFoundResponse({ description: 'Unknown, inactive or other-kind source (INGESTION.SOURCE_NOT_FOUND), or a kind without webhooks (INGESTION.WEBHOOK_KIND_MISMATCH)' })
  @ApiBadRequestResponse({ description: 'The body is not a JSON object' })
  receive(@Param('kind') kind: string, @Param('sourceId') sourceId: string, @Req() req: RawBodyRequest<Request>) {
    return this.intake.receive(kind, sourceId, { headers: req.headers, rawBody: req.rawBody, body: req.body }, requestContext.current()?.requestId ?? null);
  }
}

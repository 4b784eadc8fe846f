import { header, refused, safeEqual, SignedRequest, Verification, verified } from './webhook-signatures';

/**
 * Telegram does not sign updates: `setWebhook(secret_token)` makes every request carry
 * `X-Telegram-Bot-Api-Secret-Token` with that exact value, compared here in constant time.
 * No timestamp: a replay is made harmless by the update_id delivery record and the message ids.
 */
export function verifyTelegram(req: SignedRequest, secretToken: string | undefined): Verification {
  if (!secretToken) return refused('not-configured', 'This Telegram source has no secret token');
  const given = header(req, 'x-telegram-bot-api-secret-token');
  if (!given) return refused('missing', 'X-Telegram-Bot-Api-Secret-Token is required');
  return safeEqual(given, secretToken) ? verified() : refused('mismatch', 'X-Telegram-Bot-Api-Secret-Token is not this source\'s secret token');
}

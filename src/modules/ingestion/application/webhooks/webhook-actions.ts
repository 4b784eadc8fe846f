import { IncomingMessage, validateIncoming } from '@modules/ingestion/domain/message/incoming-message';
import type { ContactInput, ConversationInput } from '@modules/ingestion/infrastructure/conversation-writer';

/**
 * What a provider's payload asks of ingestion, decided by a pure mapper per provider: new
 * messages (through the same validation as imports), edits and deletions of stored messages,
 * support conversations and contacts. Anything else is `ignored` with a reason, never an error:
 * a provider that gets a 4xx for an event we do not use would retry it or disable the webhook.
 */
export type WebhookAction =
  | { kind: 'message'; message: IncomingMessage }
  | { kind: 'edit'; externalId: string; content: string; editedAt: string }
  | { kind: 'delete'; externalId: string; deletedAt: string }
  | { kind: 'conversation'; conversation: ConversationInput }
  | { kind: 'contact'; contact: ContactInput }
  | { kind: 'ignored'; reason: string };

export interface MappedDelivery {
  /** The provider's id of this delivery (same on retries), when the payload carries one. */
  deliveryId: string | null;
  actions: WebhookAction[];
  /** Slack's url_verification handshake: answer the challenge and nothing else. */
  challenge?: string;
}

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A non-empty string from a string or a finite number (providers mix both for ids), else null. */
export function str(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v !== '' ? v : null;
}

export const ignored = (reason: string): WebhookAction => ({ kind: 'ignored', reason });

/** An import item (docs/api.md shape) through the import validation: a bad one is ignored with its reasons. */
export function messageOf(item: Record<string, unknown>): WebhookAction {
  const v = validateIncoming(item);
  if (v.ok) return { kind: 'message', message: v.value };
  return ignored(`not a storable message (${String(item.externalId ?? '?')}): ${v.errors.map((e) => e.message).join('; ')}`);
}

/** Epoch seconds (Slack's "1712345678.000100", Telegram's integers) as ISO 8601. */
export function isoFromEpochSeconds(v: unknown): string | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? new Date(Math.round(n * 1000)).toISOString() : null;
}

/** "HH:MM:SS" (or "MM:SS") as seconds; null when it is not one. */
export function clockSeconds(v: unknown): number | null {
  if (typeof v !== 'string' || !/^\d{1,3}(:\d{1,2}){1,2}$/.test(v)) return null;
  return v.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

export function addSeconds(iso: string | null, seconds: number): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t + seconds * 1000).toISOString();
}

/** An address the import validation accepts, else null (a malformed provider email must not cost the message). */
export const validEmail = (v: unknown): string | null => (typeof v === 'string' && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(v) ? v : null);

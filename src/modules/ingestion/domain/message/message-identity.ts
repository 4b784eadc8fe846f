/**
 * Deterministic identities: the same provider message always maps to the same message id (and
 * stream), whichever way it arrives (import, webhook, sync, retry), so deduplication per source
 * is a property of the ids, not a lookup. The uuid v5 function comes in from the caller (pure).
 */
export const MESSAGE_NAMESPACE = '3b0c8f8e-9d6a-4c39-8f5e-2f0d4b7a1c55';

export type Uuid5 = (name: string, namespace: string) => string;

export function messageIdOf(uuid5: Uuid5, sourceId: string, externalId: string): string {
  return uuid5(`${sourceId}\u0000${externalId}`, MESSAGE_NAMESPACE);
}

export { messageStreamIdOf as messageStreamId } from '@modules/ingestion/contracts/ingestion.integration-events';

/** The author key: the provider's id, else the email, else the display name. */
export function authorSubjectOf(uuid5: Uuid5, sourceId: string, author: { externalId: string | null; email: string | null; name: string | null }): string {
  const key = author.externalId ? `id:${author.externalId}` : author.email ? `email:${author.email.toLowerCase()}` : `name:${author.name ?? ''}`;
  return `author:${uuid5(`${sourceId}\u0000${key}`, MESSAGE_NAMESPACE)}`;
}

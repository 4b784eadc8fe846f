/**
 * Who may see an event when the log itself is read (the audit API, its exports, any later
 * reader of raw events). Declared once per event type, beside its personal data, so a new
 * module's private or credential-bearing events are hidden by every reader without each
 * reader knowing them:
 *
 *     registry.auditVisibility('knowledge.ai-conversation-started', { privateTo: 'userId' });
 *     registry.auditVisibility('identity.user-registered', { secretFields: ['passwordHash'] });
 *
 * - `privateTo`: the payload path of the one user the event belongs to (an AI conversation's
 *   asker). Nobody else sees the event at all, whatever their role: workspace admins, API keys,
 *   the operator token and platform superusers included. The path must stay in clear (never a
 *   personal field: that would hide the event from its owner too).
 * - `secretFields`: credential material (password, PIN, token and key hashes, salts, sealed
 *   secrets). Everyone, the platform admin included, reads SECRET_WITHHELD in their place: a
 *   hash is an offline guessing target, and a sealed secret is one key leak away from clear.
 */
export interface AuditVisibilityDeclaration {
  privateTo?: string;
  secretFields?: string[];
}

/** What a withheld credential reads as. */
export const SECRET_WITHHELD = '[secret]';

/** Who reads the log: a user id (their own private events are theirs to see) or nobody in particular. */
export interface AuditViewer {
  userId: string | null;
}

/**
 * Field names that look like credential material. Not the rule (declarations are), the safety
 * net a test uses: any field of the log named like this must be declared secret.
 */
export const CREDENTIAL_FIELD_NAME = /(hash|salt|secret|password|ciphertext|token|apikey|privatekey|pin)$/i;

/** A copy of `payload` with every present declared path replaced by SECRET_WITHHELD (arrays walked). */
export function withholdSecrets(payload: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0 || payload === null || typeof payload !== 'object') return payload;
  const copy = structuredClone(payload);
  for (const path of paths) withholdPath(copy, path.split('.'));
  return copy;
}

function withholdPath(node: unknown, parts: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) withholdPath(item, parts);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const [head, ...rest] = parts;
  if (!(head in obj)) return;
  if (rest.length > 0) return withholdPath(obj[head], rest);
  if (obj[head] !== null && obj[head] !== undefined) obj[head] = SECRET_WITHHELD;
}

/**
 * SQL that keeps only the events `viewer` may see: for each owner path, the private types whose
 * owner (read in clear from the payload) is someone else are left out. `param` binds a value
 * and returns its placeholder. Returns null when no type is private (no predicate at all).
 */
export function visibleEventsPredicate(
  privateTypesByOwnerPath: ReadonlyMap<string, readonly string[]>,
  viewer: AuditViewer,
  param: (value: unknown, cast: string) => string,
  alias = '',
): string | null {
  if (privateTypesByOwnerPath.size === 0) return null;
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  const viewerParam = param(viewer.userId, 'text');
  const parts = [...privateTypesByOwnerPath.entries()].map(
    ([path, types]) =>
      // A missing owner or an anonymous viewer compares as NULL: coalesced to hidden, never shown by default.
      `coalesce(${col('event_type')} <> ALL(${param(types, 'text[]')}) OR (${col('payload')} #>> ${param(path.split('.'), 'text[]')}) = ${viewerParam}, false)`,
  );
  return parts.join(' AND ');
}

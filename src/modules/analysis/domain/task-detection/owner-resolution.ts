/**
 * Who a task belongs to, resolved against the workspace's members and known authors only. A
 * reference that matches no one, or more than one, resolves to no owner: an owner is never
 * invented from a name that merely looks like one.
 */
export interface WorkspaceMember {
  id: string;
  /** Display name ("Ana Souza"). */
  name: string;
  /** Chat handles without the @ ("ana"), and provider user ids a mention may carry ("U024BE7LH"). */
  handles: readonly string[];
  emails: readonly string[];
}

/** How a message or a sentence names a person. */
export interface PersonReference {
  memberId?: string | null;
  handle?: string | null;
  name?: string | null;
  email?: string | null;
}

/** Lower case without accents, so "Inês" and "ines" are one name. */
export function foldName(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

const only = (matches: readonly WorkspaceMember[]): string | null => (new Set(matches.map((m) => m.id)).size === 1 ? matches[0].id : null);

/** A handle as written in a mention: "@ana", "<@U024BE7LH>", "<@U024BE7LH|ana>". */
export function handleOfMention(mention: string): string {
  const slack = /^<@([^>|]+)(?:\|([^>]+))?>$/.exec(mention);
  if (slack) return slack[1];
  return mention.replace(/^@/, '').replace(/[.,:;!?]+$/, '');
}

export function resolveHandle(handle: string, members: readonly WorkspaceMember[]): string | null {
  const wanted = foldName(handleOfMention(handle));
  if (!wanted) return null;
  return only(members.filter((m) => m.handles.some((h) => foldName(h) === wanted)));
}

export function resolveEmail(email: string, members: readonly WorkspaceMember[]): string | null {
  const wanted = email.trim().toLowerCase();
  return only(members.filter((m) => m.emails.some((e) => e.toLowerCase() === wanted)));
}

/**
 * A name as written: the full name, else a handle, else a first name that only one member has.
 * "Sam" with two Sams in the workspace is nobody in particular.
 */
export function resolveName(name: string, members: readonly WorkspaceMember[]): string | null {
  const wanted = foldName(name);
  if (!wanted) return null;
  const full = members.filter((m) => foldName(m.name) === wanted);
  if (full.length > 0) return only(full);
  const byHandle = members.filter((m) => m.handles.some((h) => foldName(h) === wanted));
  if (byHandle.length > 0) return only(byHandle);
  if (wanted.includes(' ')) return null;
  return only(members.filter((m) => foldName(m.name).split(/\s+/)[0] === wanted));
}

/** A person by whatever the message gives: member id, then email, then handle, then name. */
export function resolvePerson(person: PersonReference, members: readonly WorkspaceMember[]): string | null {
  if (person.memberId && members.some((m) => m.id === person.memberId)) return person.memberId;
  if (person.email) {
    const id = resolveEmail(person.email, members);
    if (id) return id;
  }
  if (person.handle) {
    const id = resolveHandle(person.handle, members);
    if (id) return id;
  }
  return person.name ? resolveName(person.name, members) : null;
}

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

const only = (matches: readonly WorkspaceMember[] | undefined): string | null => (matches && matches.length > 0 && new Set(matches.map((m) => m.id)).size === 1 ? matches[0].id : null);

/** The members by folded full name, handle, first name and email: built once per list, not per look-up. */
interface MemberIndex {
  ids: Set<string>;
  byName: Map<string, WorkspaceMember[]>;
  byHandle: Map<string, WorkspaceMember[]>;
  byFirstName: Map<string, WorkspaceMember[]>;
  byEmail: Map<string, WorkspaceMember[]>;
}

// A detector resolves every word of a batch against the same list: fold each member once.
const indexes = new WeakMap<readonly WorkspaceMember[], MemberIndex>();

function add(map: Map<string, WorkspaceMember[]>, key: string, m: WorkspaceMember): void {
  const list = map.get(key);
  if (!list) map.set(key, [m]);
  else if (!list.includes(m)) list.push(m);
}

/** The list's index. Lists are read as given: a caller never changes one it already resolved against. */
function indexOf(members: readonly WorkspaceMember[]): MemberIndex {
  let index = indexes.get(members);
  if (index) return index;
  index = { ids: new Set(), byName: new Map(), byHandle: new Map(), byFirstName: new Map(), byEmail: new Map() };
  for (const m of members) {
    index.ids.add(m.id);
    const name = foldName(m.name);
    add(index.byName, name, m);
    add(index.byFirstName, name.split(/\s+/)[0], m);
    for (const h of m.handles) add(index.byHandle, foldName(h), m);
    for (const e of m.emails) add(index.byEmail, e.toLowerCase(), m);
  }
  indexes.set(members, index);
  return index;
}

/** A handle as written in a mention: "@ana", "<@U024BE7LH>", "<@U024BE7LH|ana>". */
export function handleOfMention(mention: string): string {
  const slack = /^<@([^>|]+)(?:\|([^>]+))?>$/.exec(mention);
  if (slack) return slack[1];
  return mention.replace(/^@/, '').replace(/[.,:;!?]+$/, '');
}

export function resolveHandle(handle: string, members: readonly WorkspaceMember[]): string | null {
  const wanted = foldName(handleOfMention(handle));
  if (!wanted) return null;
  return only(indexOf(members).byHandle.get(wanted));
}

export function resolveEmail(email: string, members: readonly WorkspaceMember[]): string | null {
  return only(indexOf(members).byEmail.get(email.trim().toLowerCase()));
}

/**
 * A name as written: the full name, else a handle, else a first name that only one member has.
 * "Sam" with two Sams in the workspace is nobody in particular.
 */
export function resolveName(name: string, members: readonly WorkspaceMember[]): string | null {
  const wanted = foldName(name);
  if (!wanted) return null;
  const index = indexOf(members);
  const full = index.byName.get(wanted);
  if (full) return only(full);
  const byHandle = index.byHandle.get(wanted);
  if (byHandle) return only(byHandle);
  if (wanted.includes(' ')) return null;
  return only(index.byFirstName.get(wanted));
}

/** A person by whatever the message gives: member id, then email, then handle, then name. */
export function resolvePerson(person: PersonReference, members: readonly WorkspaceMember[]): string | null {
  if (person.memberId && indexOf(members).ids.has(person.memberId)) return person.memberId;
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

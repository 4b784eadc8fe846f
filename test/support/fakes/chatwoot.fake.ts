import { Answer, FakeProvider, SeenRequest } from './fake-provider';

export interface FakeChatwootMessage {
  id: number;
  content: string | null;
  /** 0 incoming, 1 outgoing, 2 activity, 3 template (the REST form). */
  message_type: number;
  created_at: number;
  private: boolean;
  sender: { id: number; name: string; email?: string | null; type: 'contact' | 'user' } | null;
}

export interface FakeChatwootContact {
  id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  identifier: string | null;
  custom_attributes: Record<string, unknown>;
  last_activity_at: number | null;
  created_at: number;
}

export interface FakeChatwootConversation {
  /** The display id (what the API calls `id`). */
  id: number;
  inbox_id: number;
  status: 'open' | 'resolved' | 'pending' | 'snoozed';
  contactId: number;
  assigneeId: number | null;
  created_at: number;
  last_activity_at: number;
  messages: FakeChatwootMessage[];
}

/** Page sizes of Chatwoot: 25 conversations (Kaminari's default), `after` up to 100 messages, `before` 20, 15 contacts. */
export const CHATWOOT_PAGES = { conversations: 25, after: 100, before: 20, contacts: 15 };

/**
 * Chatwoot's Application API as its swagger (chatwoot/chatwoot swagger/paths/application) and
 * finders describe it: `api_access_token` header; GET /api/v1/accounts/{id}/conversations
 * (status, page; newest activity first; `{ data: { meta, payload } }`, each conversation with its
 * last message and `meta.sender` = the contact); GET .../conversations/{id}/messages with
 * `after` (ids above, oldest first, 100) or `before` (20 older) answering `{ meta, payload }`;
 * GET .../contacts (sort, page; `{ meta: { count, current_page }, payload }`).
 */
export class FakeChatwoot extends FakeProvider {
  readonly conversations: FakeChatwootConversation[] = [];
  readonly contacts: FakeChatwootContact[] = [];
  private nextMessageId = 1;

  constructor(
    readonly accountId: number,
    readonly token: string,
  ) {
    super();
  }

  contact(id: number, at: number, extra: Partial<FakeChatwootContact> = {}): FakeChatwootContact {
    const c: FakeChatwootContact = { id, name: `Customer ${id}`, email: `customer${id}@example.com`, phone_number: null, identifier: null, custom_attributes: { plan: 'pro' }, last_activity_at: at, created_at: at - 3600, ...extra };
    this.contacts.push(c);
    return c;
  }

  /** A conversation with `count` messages, alternating customer and agent, one a minute from `at`. */
  conversation(id: number, contactId: number, count: number, at: number, opts: { activityEvery?: number; status?: FakeChatwootConversation['status'] } = {}): FakeChatwootConversation {
    const c: FakeChatwootConversation = { id, inbox_id: 1 + (id % 3), status: opts.status ?? 'open', contactId, assigneeId: 7, created_at: at, last_activity_at: at, messages: [] };
    this.conversations.push(c);
    for (let i = 0; i < count; i++) this.say(c, at + i * 60, i % 2 === 0 ? 'customer' : 'agent', { activity: opts.activityEvery ? i % opts.activityEvery === opts.activityEvery - 1 : false });
    return c;
  }

  /** New activity: a message at `at`, which also moves the conversation to the top of the list. */
  say(c: FakeChatwootConversation, at: number, who: 'customer' | 'agent', opts: { activity?: boolean; private?: boolean } = {}): FakeChatwootMessage {
    const contact = this.contacts.find((x) => x.id === c.contactId);
    const id = this.nextMessageId++;
    const m: FakeChatwootMessage = opts.activity
      ? { id, content: 'Conversation was marked resolved by Agent Smith', message_type: 2, created_at: at, private: false, sender: null }
      : {
          id,
          content: who === 'customer' ? `Customer question ${id} about exports in conversation ${c.id}` : `Agent answer ${id}: we are on it`,
          message_type: who === 'customer' ? 0 : 1,
          created_at: at,
          private: opts.private ?? false,
          sender: who === 'customer' ? { id: c.contactId, name: contact?.name ?? `Customer ${c.contactId}`, email: contact?.email ?? null, type: 'contact' } : { id: 7, name: 'Agent Smith', email: 'smith@support.example', type: 'user' },
        };
    c.messages.push(m);
    c.last_activity_at = Math.max(c.last_activity_at, at);
    if (contact) contact.last_activity_at = Math.max(contact.last_activity_at ?? 0, at);
    return m;
  }

  /** External ids of every message a sync should store (activity lines are not content). */
  storable(): string[] {
    return this.conversations.flatMap((c) => c.messages.filter((m) => m.message_type !== 2).map((m) => String(m.id)));
  }

  /** Requests for a conversation's messages, with their `after`. */
  messageRequests(from = 0, conversationId?: number): { conversationId: number; after: number | null; status: number | null }[] {
    return this.since(from)
      .map((r) => ({ r, m: /\/conversations\/(\d+)\/messages$/.exec(r.path) }))
      .filter(({ m }) => m && (conversationId === undefined || Number(m[1]) === conversationId))
      .map(({ r, m }) => ({ conversationId: Number(m![1]), after: r.query.after !== undefined ? Number(r.query.after) : null, status: r.status }));
  }

  listRequests(from = 0): { page: number; status: number | null }[] {
    return this.since(from)
      .filter((r) => r.path.endsWith('/conversations'))
      .map((r) => ({ page: Number(r.query.page ?? 1), status: r.status }));
  }

  protected authorize(r: SeenRequest): Answer | null {
    if (r.headers.api_access_token !== this.token) return { status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } };
    if (r.path === '/api/v1/profile') return null;
    if (!r.path.startsWith(`/api/v1/accounts/${this.accountId}/`)) return { status: 404, body: { error: 'Resource could not be found' } };
    return null;
  }

  /** Requests other than the profile (the account proof made when a source is connected). */
  dataRequests(): SeenRequest[] {
    return this.requests.filter((r) => r.path !== '/api/v1/profile');
  }

  protected route(r: SeenRequest): Answer {
    // GET /api/v1/profile: the token's user and its accounts (how a source proves the account it names).
    if (r.method === 'GET' && r.path === '/api/v1/profile') {
      return { status: 200, body: { id: 7, name: 'Agent Smith', email: 'smith@support.example', accounts: [{ id: this.accountId, name: 'Acme Support', role: 'administrator', status: 'active' }] } };
    }
    const rest = r.path.slice(`/api/v1/accounts/${this.accountId}`.length);
    if (r.method === 'GET' && rest === '/conversations') return this.listConversations(r);
    const m = /^\/conversations\/(\d+)\/messages$/.exec(rest);
    if (r.method === 'GET' && m) return this.listMessages(Number(m[1]), r);
    if (r.method === 'GET' && rest === '/contacts') return this.listContacts(r);
    return { status: 404, body: { error: 'Resource could not be found' } };
  }

  private listConversations(r: SeenRequest): Answer {
    const status = r.query.status ?? 'open';
    const page = Math.max(1, Number(r.query.page ?? 1));
    const all = this.conversations
      .filter((c) => status === 'all' || c.status === status)
      .sort((a, b) => b.last_activity_at - a.last_activity_at || b.id - a.id);
    const slice = all.slice((page - 1) * CHATWOOT_PAGES.conversations, page * CHATWOOT_PAGES.conversations);
    return {
      status: 200,
      body: {
        data: {
          meta: { mine_count: 0, assigned_count: all.filter((c) => c.assigneeId).length, unassigned_count: all.filter((c) => !c.assigneeId).length, all_count: all.length },
          payload: slice.map((c) => this.conversationJson(c)),
        },
      },
    };
  }

  private listMessages(conversationId: number, r: SeenRequest): Answer {
    const c = this.conversations.find((x) => x.id === conversationId);
    if (!c) return { status: 404, body: { error: 'Resource could not be found' } };
    const byCreated = [...c.messages].sort((a, b) => a.created_at - b.created_at || a.id - b.id);
    let picked: FakeChatwootMessage[];
    if (r.query.after !== undefined) picked = byCreated.filter((x) => x.id > Number(r.query.after)).slice(0, CHATWOOT_PAGES.after);
    else if (r.query.before !== undefined) picked = byCreated.filter((x) => x.id < Number(r.query.before)).slice(-CHATWOOT_PAGES.before);
    else picked = byCreated.slice(-CHATWOOT_PAGES.before);
    const contact = this.contacts.find((x) => x.id === c.contactId);
    return {
      status: 200,
      body: {
        meta: { labels: [], additional_attributes: {}, contact: contact ? this.contactJson(contact) : null, assignee: c.assigneeId ? { id: c.assigneeId, name: 'Agent Smith' } : null, agent_last_seen_at: null, assignee_last_seen_at: null },
        payload: picked.map((x) => this.messageJson(c, x)),
      },
    };
  }

  private listContacts(r: SeenRequest): Answer {
    const page = Math.max(1, Number(r.query.page ?? 1));
    const sort = r.query.sort ?? 'name';
    const desc = sort.startsWith('-');
    const key = sort.replace(/^-/, '');
    const all = [...this.contacts].sort((a, b) => {
      if (key === 'last_activity_at') {
        // NULLS LAST, as Chatwoot orders it.
        if (a.last_activity_at === null || b.last_activity_at === null) return (a.last_activity_at === null ? 1 : 0) - (b.last_activity_at === null ? 1 : 0);
        return (desc ? -1 : 1) * (a.last_activity_at - b.last_activity_at) || a.id - b.id;
      }
      return (desc ? -1 : 1) * a.name.localeCompare(b.name);
    });
    const slice = all.slice((page - 1) * CHATWOOT_PAGES.contacts, page * CHATWOOT_PAGES.contacts);
    return { status: 200, body: { meta: { count: all.length, current_page: String(page) }, payload: slice.map((c) => this.contactJson(c)) } };
  }

  private conversationJson(c: FakeChatwootConversation) {
    const contact = this.contacts.find((x) => x.id === c.contactId);
    const last = [...c.messages].sort((a, b) => a.created_at - b.created_at || a.id - b.id).at(-1);
    return {
      meta: { sender: contact ? { ...this.contactJson(contact), type: 'contact' } : {}, channel: 'Channel::Api', assignee: c.assigneeId ? { id: c.assigneeId, name: 'Agent Smith', type: 'user' } : undefined, hmac_verified: false },
      id: c.id,
      messages: last ? [this.messageJson(c, last)] : [],
      account_id: this.accountId,
      uuid: `00000000-0000-4000-8000-${String(c.id).padStart(12, '0')}`,
      additional_attributes: {},
      agent_last_seen_at: 0,
      assignee_last_seen_at: 0,
      can_reply: true,
      contact_last_seen_at: 0,
      custom_attributes: {},
      inbox_id: c.inbox_id,
      labels: [],
      muted: false,
      snoozed_until: null,
      status: c.status,
      created_at: c.created_at,
      timestamp: c.last_activity_at,
      first_reply_created_at: c.created_at + 60,
      unread_count: 0,
      last_activity_at: c.last_activity_at,
      priority: null,
      waiting_since: 0,
    };
  }

  private messageJson(c: FakeChatwootConversation, m: FakeChatwootMessage) {
    return {
      id: m.id,
      content: m.content,
      account_id: this.accountId,
      inbox_id: c.inbox_id,
      conversation_id: c.id,
      message_type: m.message_type,
      created_at: m.created_at,
      updated_at: new Date(m.created_at * 1000).toISOString(),
      private: m.private,
      status: 'sent',
      source_id: null,
      content_type: 'text',
      content_attributes: {},
      sender_type: m.sender ? (m.sender.type === 'contact' ? 'Contact' : 'User') : null,
      sender_id: m.sender?.id ?? null,
      external_source_ids: {},
      additional_attributes: {},
      sender: m.sender ? { ...m.sender, thumbnail: '' } : undefined,
    };
  }

  private contactJson(c: FakeChatwootContact) {
    return {
      additional_attributes: { city: 'Lyon' },
      availability_status: 'offline',
      email: c.email,
      id: c.id,
      name: c.name,
      phone_number: c.phone_number,
      blocked: false,
      identifier: c.identifier,
      thumbnail: '',
      custom_attributes: c.custom_attributes,
      last_activity_at: c.last_activity_at,
      created_at: c.created_at,
    };
  }
}

import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';

/**
 * Chatwoot Application API (developers.chatwoot.com, swagger/paths/application in chatwoot/chatwoot):
 * header `api_access_token`; timestamps are epoch seconds; `message_type` is an integer here
 * (0 incoming, 1 outgoing, 2 activity, 3 template); a conversation's `id` is its display id,
 * the one the messages path takes.
 */
export interface ChatwootSender {
  id?: number;
  name?: string | null;
  email?: string | null;
  type?: string;
  [key: string]: unknown;
}

export interface ChatwootMessage {
  id: number;
  content: string | null;
  conversation_id?: number;
  inbox_id?: number;
  message_type: number;
  content_type?: string | null;
  content_attributes?: Record<string, unknown>;
  created_at: number;
  private?: boolean;
  status?: string | null;
  source_id?: string | null;
  sender_type?: string | null;
  sender_id?: number | null;
  sender?: ChatwootSender | null;
  attachments?: unknown[];
  [key: string]: unknown;
}

export interface ChatwootContact {
  id: number;
  name?: string | null;
  email?: string | null;
  phone_number?: string | null;
  identifier?: string | null;
  custom_attributes?: Record<string, unknown>;
  last_activity_at?: number | null;
  [key: string]: unknown;
}

export interface ChatwootConversation {
  id: number;
  inbox_id?: number;
  status?: string;
  /** The list carries the conversation's last message (one at most). */
  messages?: ChatwootMessage[];
  meta?: { sender?: ChatwootContact; assignee?: { id?: number; name?: string } | null; channel?: string; [key: string]: unknown };
  labels?: string[];
  created_at?: number;
  last_activity_at?: number;
  timestamp?: number;
  [key: string]: unknown;
}

/** GET /conversations: `{ data: { meta: { mine_count, assigned_count, unassigned_count, all_count }, payload } }`, newest activity first. */
export interface ChatwootConversationPage {
  meta: { all_count?: number; [key: string]: unknown };
  payload: ChatwootConversation[];
}

/** GET /conversations/{id}/messages: `{ meta: { contact, assignee, labels, ... }, payload }`. */
export interface ChatwootMessagePage {
  meta: Record<string, unknown>;
  payload: ChatwootMessage[];
}

/** GET /contacts: `{ meta: { count, current_page }, payload }` (15 a page). */
export interface ChatwootContactPage {
  meta: { count?: number; current_page?: string | number };
  payload: ChatwootContact[];
}

/** GET /api/v1/profile: the token's user and the accounts it belongs to. */
export interface ChatwootProfile {
  id?: number;
  accounts?: { id: number; name?: string; role?: string }[];
  [key: string]: unknown;
}

export interface ChatwootCredentials {
  baseUrl: string;
  apiToken: string;
  accountId: string;
}

export class ChatwootClient {
  private readonly http: ProviderHttpClient;
  private readonly base: string;
  private readonly root: string;

  constructor(
    private readonly credentials: ChatwootCredentials,
    options: ProviderHttpOptions = {},
  ) {
    this.http = new ProviderHttpClient('chatwoot', options);
    this.base = credentials.baseUrl.replace(/\/+$/, '');
    this.root = `${this.base}/api/v1/accounts/${encodeURIComponent(credentials.accountId)}`;
  }

  /** The token's profile: which accounts it is a member of (the proof that it may speak for the account). */
  async profile(signal?: AbortSignal): Promise<ChatwootProfile> {
    const res = await this.http.json<ChatwootProfile>({ method: 'GET', url: `${this.base}/api/v1/profile`, headers: { api_access_token: this.credentials.apiToken }, signal });
    if (!res.body || typeof res.body !== 'object') throw this.malformed('profile', 'not an object');
    return res.body;
  }

  /** One page (1-based) of every conversation of the account (status=all), newest activity first. */
  async conversations(page: number, signal?: AbortSignal): Promise<ChatwootConversationPage> {
    const res = await this.get<{ data?: ChatwootConversationPage }>(`/conversations?status=all&assignee_type=all&page=${page}`, signal);
    const data = res.data;
    if (!data || !Array.isArray(data.payload)) throw this.malformed('conversations', 'data.payload is not a list');
    return { meta: data.meta ?? {}, payload: data.payload };
  }

  /** Messages of a conversation with ids above `after`, oldest first (Chatwoot answers up to 100). */
  async messagesAfter(conversationId: number, after: number, signal?: AbortSignal): Promise<ChatwootMessagePage> {
    const res = await this.get<ChatwootMessagePage>(`/conversations/${conversationId}/messages?after=${after}`, signal);
    if (!res || !Array.isArray(res.payload)) throw this.malformed('messages', 'payload is not a list');
    return { meta: res.meta ?? {}, payload: res.payload };
  }

  /** One page (1-based) of the account's contacts, most recently active first. */
  async contacts(page: number, signal?: AbortSignal): Promise<ChatwootContactPage> {
    const res = await this.get<ChatwootContactPage>(`/contacts?sort=-last_activity_at&page=${page}`, signal);
    if (!res || !Array.isArray(res.payload)) throw this.malformed('contacts', 'payload is not a list');
    return { meta: res.meta ?? {}, payload: res.payload };
  }

  private async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.http.json<T>({ method: 'GET', url: `${this.root}${path}`, headers: { api_access_token: this.credentials.apiToken }, signal });
    return res.body;
  }

  private malformed(what: string, why: string): ProviderHttpError {
    return new ProviderHttpError('chatwoot', 200, `Chatwoot answered an unexpected ${what} shape: ${why}`, 1, false);
  }
}

import { Answer, FakeProvider, SeenRequest } from './fake-provider';

/**
 * Slack's Web API auth.test (api.slack.com/methods/auth.test): `Authorization: Bearer <token>`;
 * a known bot token answers its team, any other `{ ok: false, error: 'invalid_auth' }` with HTTP 200
 * (Slack's way). Mounted under /api, so its base URL is `${url}/api`.
 */
export class FakeSlack extends FakeProvider {
  private readonly tokens = new Map<string, string>();

  /** A bot token of the team. */
  bot(token: string, teamId: string): this {
    this.tokens.set(token, teamId);
    return this;
  }

  get apiBase(): string {
    return `${this.url}/api`;
  }

  protected authorize(): Answer | null {
    return null;
  }

  protected route(r: SeenRequest): Answer {
    if (r.path !== '/api/auth.test') return { status: 404, body: { ok: false, error: 'unknown_method' } };
    const token = String(r.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const teamId = this.tokens.get(token);
    if (!teamId) return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    return { status: 200, body: { ok: true, url: `https://${teamId.toLowerCase()}.slack.com/`, team: `Team ${teamId}`, user: 'convo-bot', team_id: teamId, user_id: 'U0BOT', bot_id: 'B0BOT', is_enterprise_install: false } };
  }
}

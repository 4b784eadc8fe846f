import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';

export const SLACK_DEFAULT_API_BASE = 'https://slack.com/api';

/** auth.test's answer (api.slack.com/methods/auth.test): Slack answers 200 with `ok: false` for a bad token. */
export interface SlackAuthTest {
  ok: boolean;
  error?: string;
  team_id?: string;
  team?: string;
  user_id?: string;
  bot_id?: string;
  enterprise_id?: string;
  [key: string]: unknown;
}

/** The one Slack Web API call the platform makes: which team a bot token belongs to. */
export class SlackClient {
  private readonly http: ProviderHttpClient;
  private readonly base: string;

  constructor(
    private readonly botToken: string,
    options: ProviderHttpOptions & { apiBase?: string } = {},
  ) {
    this.http = new ProviderHttpClient('slack', options);
    this.base = (options.apiBase ?? SLACK_DEFAULT_API_BASE).replace(/\/+$/, '');
  }

  /** The team of the token; a refused token (`ok: false`) is an error naming Slack's error code only. */
  async authTest(signal?: AbortSignal): Promise<{ teamId: string }> {
    const res = await this.http.json<SlackAuthTest>({ method: 'POST', url: `${this.base}/auth.test`, headers: { authorization: `Bearer ${this.botToken}` }, signal, describeAs: 'auth.test' });
    const body = res.body;
    if (!body || body.ok !== true) {
      const code = typeof body?.error === 'string' && /^[a-z_]{1,60}$/.test(body.error) ? body.error : 'not ok';
      throw new ProviderHttpError('slack', res.status, `Slack refused the bot token (auth.test: ${code})`, 1, false);
    }
    if (typeof body.team_id !== 'string') throw new ProviderHttpError('slack', res.status, 'Slack answered auth.test without a team_id', 1, false);
    return { teamId: body.team_id };
  }
}

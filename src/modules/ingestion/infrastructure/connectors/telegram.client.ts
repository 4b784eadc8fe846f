import { ProviderHttpClient, ProviderHttpError, ProviderHttpOptions } from './provider-http';

export const TELEGRAM_DEFAULT_API_BASE = 'https://api.telegram.org';

/** The one Bot API call the platform makes: which bot a token belongs to (core.telegram.org/bots/api#getme). */
export class TelegramClient {
  private readonly http: ProviderHttpClient;
  private readonly base: string;

  constructor(
    private readonly botToken: string,
    options: ProviderHttpOptions & { apiBase?: string } = {},
  ) {
    this.http = new ProviderHttpClient('telegram', options);
    this.base = (options.apiBase ?? TELEGRAM_DEFAULT_API_BASE).replace(/\/+$/, '');
  }

  async getMe(signal?: AbortSignal): Promise<{ botId: string }> {
    // The token is part of the path: errors name the method only.
    const res = await this.http.json<{ ok?: boolean; result?: { id?: number | string } }>({ method: 'GET', url: `${this.base}/bot${this.botToken}/getMe`, signal, describeAs: 'getMe' });
    const id = res.body?.ok === true ? res.body.result?.id : undefined;
    if (id === undefined || id === null) throw new ProviderHttpError('telegram', res.status, 'Telegram answered getMe without a bot id', 1, false);
    return { botId: String(id) };
  }
}

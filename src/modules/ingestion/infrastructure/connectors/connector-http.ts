import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { OUTBOUND_RESOLVER, OutboundGuard, ResolveAll } from '@libs/common/net/outbound-guard';
import { ProviderHttpOptions } from './provider-http';

/**
 * The connectors' outbound HTTP, set up once from the config: every provider call goes through
 * one OutboundGuard (CONNECTOR_ALLOWED_HOSTS) and reads at most CONNECTOR_MAX_RESPONSE_BYTES.
 */
@Injectable()
export class ConnectorHttp implements OnApplicationShutdown {
  readonly guard: OutboundGuard;
  readonly slackApiBase: string;
  readonly telegramApiBase: string;
  readonly graphApiBase: string;
  readonly fathomApiBase: string;
  readonly gmailApiBase: string;
  private readonly maxResponseBytes: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Optional() @Inject(OUTBOUND_RESOLVER) resolve?: ResolveAll) {
    this.guard = new OutboundGuard({ allowList: config.CONNECTOR_ALLOWED_HOSTS, resolve });
    this.maxResponseBytes = config.CONNECTOR_MAX_RESPONSE_BYTES;
    this.slackApiBase = config.SLACK_API_BASE_URL;
    this.telegramApiBase = config.TELEGRAM_API_BASE_URL;
    this.graphApiBase = config.GRAPH_API_BASE_URL;
    this.fathomApiBase = config.FATHOM_API_BASE_URL;
    this.gmailApiBase = config.GMAIL_API_BASE_URL;
  }

  /** Options for a ProviderHttpClient (retry and the rest may be added by the caller). */
  options(extra: ProviderHttpOptions = {}): ProviderHttpOptions {
    return { guard: this.guard, maxResponseBytes: this.maxResponseBytes, ...extra };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.guard.close();
  }
}

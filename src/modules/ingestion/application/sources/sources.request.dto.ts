import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length } from 'class-validator';
import { SOURCE_KINDS, SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ConnectSourceRequestDto {
  @ApiProperty({ enum: SOURCE_KINDS }) @IsIn(SOURCE_KINDS as unknown as string[]) kind!: SourceKind;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({
    description:
      'Per kind: slack { signingSecret, botToken? }, telegram { secretToken, botToken? }, chatwoot { baseUrl, apiToken, accountId, hmacToken? }, gong { accessKey, secretKey, baseUrl?, webhookSecret? }, fathom { apiToken (the API key: meetings are pulled with it), webhookSecret? }, imap { host, username, password, port?, tls? (true by default: implicit TLS on 993, else STARTTLS that must succeed; false for cleartext), allowSelfSigned? }; gmail and microsoft365: none (they read a linked account, config.oauthAccountId). Never returned. ' +
      'The provider account is bound to the workspace only once these prove it (Slack: botToken of config.teamId; Telegram: botToken; Chatwoot: apiToken a member of accountId; Gong: the keys; IMAP: a login).',
  })
  @IsOptional()
  @IsObject()
  credentials?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Source-specific settings (e.g. slack { teamId }, channels to follow; imap { folders: string[] (default INBOX), since?: date of the first pass }; gmail { oauthAccountId (a Google account you linked, /api/v1/me/oauth-accounts), backfillDays? (90), labelIds?, query?, pageSize? }; microsoft365 { oauthAccountId: a Microsoft account you linked, folders?: string[] (default inbox, sentitems), backfillDays? }; fathom { syncFrom?: date of the first pull }); pulled kinds: syncIntervalMinutes (1 to 1440, default PULL_SYNC_DEFAULT_INTERVAL_MINUTES) between two scheduled syncs' }) @IsOptional() @IsObject() config?: Record<string, unknown>;
}

export class UpdateSourceRequestDto {
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsObject() config?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Replaces the credentials (never returned)' }) @IsOptional() @IsObject() credentials?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

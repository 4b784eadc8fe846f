import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { OAUTH_PROVIDERS, OAuthProvider } from '@modules/identity/domain/oauth-account/oauth-account.decider';

/** Tokens are write-only: sealed at once, never in an answer, an event or a log line in clear. */
export class LinkOAuthAccountRequestDto {
  @ApiProperty({ enum: OAUTH_PROVIDERS }) @IsIn(OAUTH_PROVIDERS as unknown as string[]) provider!: OAuthProvider;
  @ApiProperty({ description: "The user's id at the provider (the OIDC `sub`)" }) @IsString() @Length(1, 255) providerAccountId!: string;
  @ApiProperty({ writeOnly: true }) @IsString() @Length(1, 8192) accessToken!: string;
  @ApiPropertyOptional({ writeOnly: true }) @IsOptional() @IsString() @Length(1, 8192) refreshToken?: string;
  @ApiPropertyOptional({ writeOnly: true }) @IsOptional() @IsString() @Length(1, 16384) idToken?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When the access token expires' }) @IsOptional() @IsIsoDate() expiresAt?: string;
  @ApiPropertyOptional({ example: 'Bearer' }) @IsOptional() @IsString() @MaxLength(50) tokenType?: string;
  @ApiPropertyOptional({ example: 'openid email https://www.googleapis.com/auth/gmail.readonly' }) @IsOptional() @IsString() @MaxLength(4000) scope?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) sessionState?: string;
}

/** A token refresh at the provider: a new access token; the refresh and id tokens only when the provider rotated them. */
export class RefreshOAuthTokensRequestDto {
  @ApiProperty({ writeOnly: true }) @IsString() @Length(1, 8192) accessToken!: string;
  @ApiPropertyOptional({ writeOnly: true }) @IsOptional() @IsString() @Length(1, 8192) refreshToken?: string;
  @ApiPropertyOptional({ writeOnly: true }) @IsOptional() @IsString() @Length(1, 16384) idToken?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsIsoDate() expiresAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) tokenType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) scope?: string;
}

/** The sync job's own bookkeeping for the account (cursors, history ids): replaced whole. */
export class OAuthSyncStateRequestDto {
  @ApiProperty({ example: { historyId: '12345' } }) @IsObject() syncState!: Record<string, unknown>;
}

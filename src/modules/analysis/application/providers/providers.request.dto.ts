import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { LLM_PROVIDER_TYPES, LlmProviderKind } from '@modules/analysis/domain/configuration/configuration-settings';
import { trim } from '@modules/analysis/application/shared/list-configuration.request.dto';

export class CreateProviderRequestDto {
  @ApiProperty({ maxLength: 200, description: 'Unique among the workspace\'s providers, whatever the case' }) @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: LLM_PROVIDER_TYPES, description: 'builtin: the offline engine (no URL, no key, connected at once)' }) @IsIn(LLM_PROVIDER_TYPES as unknown as string[]) type!: LlmProviderKind;
  @ApiPropertyOptional({ example: 'https://api.openai.com/v1', description: 'Required unless builtin. OpenAI-compatible API root; for ollama the server (its /v1 is added). Inward hosts are refused unless CONNECTOR_ALLOWED_HOSTS lets them' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  baseUrl?: string;
  @ApiPropertyOptional({ description: 'Encrypted at rest; never returned (hasApiKey says whether there is one)', writeOnly: true }) @IsOptional() @IsString() @Length(1, 4096) apiKey?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateProviderRequestDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ description: 'A new base URL is validated again' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 2000) baseUrl?: string;
  @ApiPropertyOptional({ nullable: true, description: 'Replaces the key (validated again); null removes it', writeOnly: true }) @IsOptional() @IsString() @MaxLength(4096) apiKey?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_TEMPERATURE, TEMPERATURE_MAX, TEMPERATURE_MIN } from '@modules/analysis/domain/configuration/configuration-settings';
import { trim } from '@modules/analysis/application/shared/list-configuration.request.dto';

const PROMPT_MAX = 100_000;

export class CreateAgentConfigRequestDto {
  @ApiProperty({ maxLength: 200, description: 'Unique among the workspace\'s agent configs, whatever the case' }) @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ format: 'uuid', description: 'A provider of the workspace' }) @IsUUID() providerId!: string;
  @ApiProperty({ example: 'gpt-4o-mini' }) @Transform(trim) @IsString() @Length(1, 200) modelName!: string;
  @ApiProperty({ maxLength: PROMPT_MAX }) @IsString() @Length(1, PROMPT_MAX) systemPrompt!: string;
  @ApiPropertyOptional({ nullable: true, maxLength: 5000 }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
  @ApiPropertyOptional({ minimum: TEMPERATURE_MIN, maximum: TEMPERATURE_MAX, default: DEFAULT_TEMPERATURE }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(TEMPERATURE_MIN) @Max(TEMPERATURE_MAX) temperature?: number;
  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: 1_000_000, description: 'Token limit of an answer; none when null' }) @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxTokens?: number | null;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateAgentConfigRequestDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 200) modelName?: string;
  @ApiPropertyOptional({ maxLength: PROMPT_MAX }) @IsOptional() @IsString() @Length(1, PROMPT_MAX) systemPrompt?: string;
  @ApiPropertyOptional({ nullable: true, description: 'null removes it' }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
  @ApiPropertyOptional({ minimum: TEMPERATURE_MIN, maximum: TEMPERATURE_MAX }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(TEMPERATURE_MIN) @Max(TEMPERATURE_MAX) temperature?: number;
  @ApiPropertyOptional({ nullable: true, description: 'null: no limit' }) @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxTokens?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

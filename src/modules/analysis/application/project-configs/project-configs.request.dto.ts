import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { trim } from '@modules/analysis/application/shared/list-configuration.request.dto';

const KEYWORDS = 'Words and phrases that place a proposal in this project';
const PRIORITY_RULES = 'Priority -> words that set it, e.g. { "critical": ["outage", "data loss"], "high": ["customer", "deadline"] }';

export class CreateProjectConfigRequestDto {
  @ApiProperty({ maxLength: 200, description: 'Unique among the workspace\'s project configs, whatever the case' }) @Transform(trim) @IsString() @Length(1, 200) name!: string;
  @ApiPropertyOptional({ default: '', maxLength: 10000 }) @IsOptional() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ type: [String], default: [], description: KEYWORDS }) @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(200, { each: true }) keywords?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'Term -> meaning' }) @IsOptional() glossary?: Record<string, string>;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, default: [], description: 'Components or modules of the project' }) @IsOptional() @IsArray() @ArrayMaxSize(1000) components?: Record<string, unknown>[];
  @ApiPropertyOptional({ type: [String], default: [], description: 'Workspace members a task with no stated owner may take (marked as a default)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  defaultAssigneeIds?: string[];
  @ApiProperty({ format: 'uuid', description: 'The project manager: a workspace member' }) @IsUUID() pmUserId!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, default: {}, description: PRIORITY_RULES }) @IsOptional() priorityRules?: Record<string, string[]>;
  @ApiPropertyOptional({ default: '1.0', maxLength: 50, description: 'The config\'s version as the team names it' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 50) version?: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateProjectConfigRequestDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ maxLength: 10000 }) @IsOptional() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ type: [String], description: KEYWORDS }) @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(200, { each: true }) keywords?: string[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } }) @IsOptional() glossary?: Record<string, string>;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' } }) @IsOptional() @IsArray() @ArrayMaxSize(1000) components?: Record<string, unknown>[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) defaultAssigneeIds?: string[];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() pmUserId?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: PRIORITY_RULES }) @IsOptional() priorityRules?: Record<string, string[]>;
  @ApiPropertyOptional({ maxLength: 50 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 50) version?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AGENT_TYPES, AgentType } from '@modules/analysis/domain/ai-agent/ai-agent.decider';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const AGENT_PROMPT_MAX = 8000;
/** `<context>.<fact>`: the event types of the log (e.g. `ingestion.message-ingested`). */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9.-]*$/;

export class AgentParametersDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 2 }) @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 32000 }) @IsOptional() @IsInt() @Min(1) @Max(32000) maxTokens?: number;
}

export class AgentConfigDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An LLM provider of the workspace; absent: the built-in offline provider' }) @IsOptional() @IsUUID() providerId?: string;
  @ApiProperty({ maxLength: 200, example: 'gpt-4o-mini' }) @Transform(trim) @IsString() @Length(1, 200) model!: string;
  @ApiProperty({ maxLength: AGENT_PROMPT_MAX, description: 'The system prompt' }) @IsString() @MaxLength(AGENT_PROMPT_MAX) prompt!: string;
  @ApiPropertyOptional({ type: AgentParametersDto }) @IsOptional() @ValidateNested() @Type(() => AgentParametersDto) parameters?: AgentParametersDto;
  @ApiPropertyOptional({ nullable: true, example: '0 8 * * 1-5', description: 'A 5-field cron (UTC): the agent runs as a scheduled job' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  schedule?: string | null;
  @ApiPropertyOptional({ type: [String], maxItems: 20, example: ['ingestion.message-ingested'], description: 'Event types that each start an execution (analysis.agent-*/ai-agent-* refused: an agent would trigger itself)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: 'each event type must look like context.fact (e.g. ingestion.message-ingested)' })
  events?: string[];
}

export class CreateAgentRequestDto {
  @ApiProperty({ maxLength: 100, description: 'Unique in the workspace, whatever the case' }) @Transform(trim) @IsString() @Length(1, 100) name!: string;
  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @ApiProperty({ enum: AGENT_TYPES }) @IsIn(AGENT_TYPES as unknown as string[]) type!: AgentType;
  @ApiProperty({ type: AgentConfigDto }) @ValidateNested() @Type(() => AgentConfigDto) config!: AgentConfigDto;
  @ApiPropertyOptional({ type: [String], maxItems: 50 }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 64, { each: true }) skills?: string[];
}

export class UpdateAgentRequestDto {
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @Transform(trim) @IsString() @Length(1, 100) name?: string;
  @ApiPropertyOptional({ nullable: true, maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @ApiPropertyOptional({ enum: AGENT_TYPES }) @IsOptional() @IsIn(AGENT_TYPES as unknown as string[]) type?: AgentType;
  @ApiPropertyOptional({ type: AgentConfigDto, description: 'The whole config (it replaces the current one)' }) @IsOptional() @ValidateNested() @Type(() => AgentConfigDto) config?: AgentConfigDto;
  @ApiPropertyOptional({ type: [String], maxItems: 50 }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 64, { each: true }) skills?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

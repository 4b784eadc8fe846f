import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export const RUN_STATUSES = ['pending', 'running', 'completed', 'reviewed', 'closed', 'failed', 'cancelled'] as const;

export class RequestAnalysisRunRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The agent<->task assignment to run; absent: the built-in one (offline task detector), created on first use' })
  @IsOptional()
  @IsUUID()
  agentAssignmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Classify proposals to this project only (else to every active project)' })
  @IsOptional()
  @IsUUID()
  projectConfigId?: string;

  @ApiProperty({ example: '2026-03-01T00:00:00Z', description: 'Messages sent at or after this time' }) @IsISO8601({ strict: true }) windowStart!: string;
  @ApiProperty({ example: '2026-03-08T00:00:00Z', description: 'Messages sent before this time' }) @IsISO8601({ strict: true }) windowEnd!: string;

  @ApiPropertyOptional({ type: [String], description: 'Only these sources' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  sourceIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Only these channels (id or name)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  channels?: string[];

  @ApiPropertyOptional({ minimum: 50, maximum: 100000, description: 'Estimated tokens of messages per batch (one agent call each); default 3000 for a model, 40000 for the built-in engine' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(100000)
  batchTokenBudget?: number;
}

export class ListAnalysisRunsQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES }) @IsOptional() @IsIn(RUN_STATUSES) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Kinds of evidence items: messages now; atoms and call moments as their modules add them. */
export const EVIDENCE_KINDS = ['message'] as const;

export class ListEvidenceQueryDto {
  @ApiPropertyOptional({ description: 'Full-text query in web search syntax over title, content, author and channel; empty: newest first' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 1000)
  q?: string;
  @ApiPropertyOptional({ enum: EVIDENCE_KINDS }) @IsOptional() @IsIn(EVIDENCE_KINDS as unknown as string[]) kind?: string;
  @ApiPropertyOptional({ description: 'A source id', format: 'uuid' }) @IsOptional() @IsUUID() source?: string;
  @ApiPropertyOptional({ description: 'occurred_at >= from (ISO 8601)' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ description: 'occurred_at < to (ISO 8601)' }) @IsOptional() @IsIsoDate() to?: string;
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(300) cursor?: string;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';

export class ListMessagesQueryDto {
  @ApiPropertyOptional({ description: 'Full-text query (web search syntax: words, "phrases", -not, or)' }) @IsOptional() @IsString() @MaxLength(500) q?: string;
  @ApiPropertyOptional({ description: 'A source id' }) @IsOptional() @IsUUID() source?: string;
  @ApiPropertyOptional({ description: 'sent_at >= from (ISO 8601)' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ description: 'sent_at < to (ISO 8601)' }) @IsOptional() @IsIsoDate() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

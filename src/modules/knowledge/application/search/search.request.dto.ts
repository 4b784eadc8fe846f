import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { SEARCH_MODES, SearchMode } from '@modules/knowledge/contracts/knowledge-search';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** GET /workspaces/:ws/search (docs/api.md: `?q=&mode=hybrid|semantic|fulltext&limit=`), plus filters. */
export class SearchQueryDto {
  @ApiProperty({ description: 'What to look for. Full-text mode reads web search syntax: words (all must match), "a phrase", -excluded, or', minLength: 1, maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  q!: string;

  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'hybrid' }) @IsOptional() @IsIn(SEARCH_MODES as unknown as string[]) mode?: SearchMode;
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ description: 'A source id', format: 'uuid' }) @IsOptional() @IsUUID() source?: string;
  @ApiPropertyOptional({ description: 'A channel id or name (with or without #)' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 300) channel?: string;
  @ApiPropertyOptional({ description: "An author's subject id, external id or name (case-insensitive)" }) @IsOptional() @Transform(trim) @IsString() @Length(1, 300) author?: string;
  @ApiPropertyOptional({ description: 'sent_at >= from (ISO 8601)' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ description: 'sent_at < to (ISO 8601)' }) @IsOptional() @IsIsoDate() to?: string;
}

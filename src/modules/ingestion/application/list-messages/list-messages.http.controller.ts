import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, isUUID } from 'class-validator';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { NotFoundError } from '@libs/common/errors/application-error';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';

export class ListMessagesQueryDto {
  @ApiPropertyOptional({ description: 'Full-text query (web search syntax: words, "phrases", -not, or)' }) @IsOptional() @IsString() @MaxLength(500) q?: string;
  @ApiPropertyOptional({ description: 'A source id' }) @IsOptional() @IsUUID() source?: string;
  @ApiPropertyOptional({ description: 'sent_at >= from (ISO 8601)' }) @IsOptional() @IsIsoDate() from?: string;
  @ApiPropertyOptional({ description: 'sent_at < to (ISO 8601)' }) @IsOptional() @IsIsoDate() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

@ApiTags('ingestion')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/messages')
export class ListMessagesHttpController {
  constructor(private readonly queries: IngestionQueries) {}

  @Get()
  @ApiOperation({ summary: 'Messages of every source, newest first (keyset pages), filtered by text, source and time' })
  @ApiOkResponse({ description: '{ items: [message], nextCursor }' })
  list(@Param('workspaceId') ws: string, @Query() q: ListMessagesQueryDto) {
    return this.queries.messages(ws, { q: q.q, sourceId: q.source, from: q.from, to: q.to, cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Get(':messageId')
  @ApiOperation({ summary: 'One message with its raw provider payload' })
  async get(@Param('workspaceId') ws: string, @Param('messageId') id: string) {
    const m = isUUID(id) ? await this.queries.message(ws, id) : null;
    if (!m) throw new NotFoundError('No such message', { messageId: id });
    return m;
  }
}

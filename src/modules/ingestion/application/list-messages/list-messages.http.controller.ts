import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { NotFoundError } from '@libs/common/errors/application-error';
import { IngestionQueries } from '@modules/ingestion/infrastructure/ingestion.queries';
import { ListMessagesQueryDto } from './list-messages.request.dto';

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

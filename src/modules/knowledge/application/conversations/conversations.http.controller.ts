import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { ConversationError, ConversationErrorCode } from '@modules/knowledge/domain/conversation/conversation.errors';
import { ArchiveConversation } from './archive-conversation.handler';
import { AskingUser } from './asking-user.decorator';
import { ConversationQueries } from './conversation.queries';
import { ListConversationsQueryDto } from './conversations.request.dto';

const notFound = (id: string) => new ConversationError(ConversationErrorCode.ConversationNotFound, 'No such conversation', { conversationId: id });

/** The caller's own Ask conversations: another member's are "not found", like another workspace's. */
@ApiTags('knowledge')
// Viewers ask (POST /ask), so they read and archive what they asked.
@WorkspaceScoped('viewer')
@Controller('api/v1/workspaces/:workspaceId/conversations')
export class ConversationsHttpController {
  constructor(
    private readonly queries: ConversationQueries,
    private readonly archiveConversation: ArchiveConversation,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's conversations, newest first (keyset pages)" })
  @ApiOkResponse({ description: '{ items: [{ id, title, agentId, context, isActive, messageCount, createdAt, updatedAt }], nextCursor }' })
  list(@Param('workspaceId') ws: string, @AskingUser() userId: string, @Query() q: ListConversationsQueryDto) {
    return this.queries.conversations(ws, userId, { cursor: q.cursor, limit: q.limit ?? 20 });
  }

  @Get(':conversationId')
  @ApiOperation({ summary: 'One of the caller\'s conversations with its messages in order (roles, citations, function calls, tokens, model)' })
  @ApiOkResponse({ description: '{ id, title, ..., messages: [{ id, role, content, citations, functionCalls, tokensUsed, model, metadata, createdAt }] }' })
  async get(@Param('workspaceId') ws: string, @Param('conversationId') id: string, @AskingUser() userId: string) {
    const conversation = isUUID(id) ? await this.queries.conversation(ws, userId, id) : null;
    if (!conversation) throw notFound(id);
    return { ...conversation, messages: await this.queries.messages(id) };
  }

  @Delete(':conversationId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive one of the caller\'s conversations (gone from the list; the log keeps it)' })
  @ApiNoContentResponse({ description: 'Archived (also when it already was)' })
  async archive(@Param('workspaceId') ws: string, @Param('conversationId') id: string, @AskingUser() userId: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    if (!isUUID(id)) throw notFound(id);
    await this.archiveConversation.archive(ws, userId, id, meta);
  }
}

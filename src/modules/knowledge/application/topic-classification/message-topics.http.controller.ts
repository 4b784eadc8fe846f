import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireWorkspaceRole } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { PageQueryDto } from '@modules/knowledge/application/topics/topics.request.dto';
import { MessageTopicsHandler } from './message-topics.handler';

/** The messages of a topic: classified (method semantic) or put there by a human (method manual). */
@ApiTags('knowledge')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/topics/:topicId/messages')
export class MessageTopicsHttpController {
  constructor(private readonly messageTopics: MessageTopicsHandler) {}

  @Get()
  @ApiOperation({ summary: 'Messages of the topic, newest assignment first' })
  @ApiOkResponse({ description: '{ items: [{ messageId, score, method, assignedBy, assignedAt }], nextCursor }' })
  list(@Param('workspaceId') ws: string, @Param('topicId') topicId: string, @Query() q: PageQueryDto) {
    return this.messageTopics.list(ws, topicId, { cursor: q.cursor, limit: q.limit ?? 50 });
  }

  @Post(':messageId')
  @HttpCode(200)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Put a message in the topic by hand (method manual: the classifier never overrides it)' })
  assign(@Param('workspaceId') ws: string, @Param('topicId') topicId: string, @Param('messageId') messageId: string, @CommandMeta() meta: CommandMetadata) {
    return this.messageTopics.assign(ws, topicId, messageId, meta);
  }

  @Delete(':messageId')
  @HttpCode(204)
  @RequireWorkspaceRole('member')
  @ApiOperation({ summary: 'Take a message out of the topic (the classifier will not put it back)' })
  async unassign(@Param('workspaceId') ws: string, @Param('topicId') topicId: string, @Param('messageId') messageId: string, @CommandMeta() meta: CommandMetadata): Promise<void> {
    await this.messageTopics.unassign(ws, topicId, messageId, meta);
  }
}

import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiGatewayTimeoutResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { CommandMeta } from '@libs/eventsourcing/http/command-metadata.decorator';
import { AskingUser } from '@modules/knowledge/application/conversations/asking-user.decorator';
import { ConversationError, ConversationErrorCode } from '@modules/knowledge/domain/conversation/conversation.errors';
import { AskQuestion } from './ask-question.handler';
import { AskQuestionRequestDto } from './ask-question.request.dto';

@ApiTags('knowledge')
// A viewer may ask: asking reads knowledge, and the conversation it writes is the asker's own.
@WorkspaceScoped('viewer')
@Controller('api/v1/workspaces/:workspaceId/ask')
export class AskQuestionHttpController {
  constructor(private readonly askQuestion: AskQuestion) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Answer a question from the workspace's conversations, citing the source messages; kept in the caller's conversation" })
  @ApiOkResponse({ description: '{ conversationId, messageId, questionMessageId, answer, grounded, citations: [{ n, messageId, externalId, chunkId, text, sourceKind, channelName, sentAt, link, score }], model, usage }' })
  @ApiBadGatewayResponse({ description: 'KNOWLEDGE.ANSWER_PROVIDER_FAILED: the model provider refused the call (the question is kept)' })
  @ApiServiceUnavailableResponse({ description: 'KNOWLEDGE.ANSWER_PROVIDER_UNAVAILABLE: try again later (Retry-After when the provider said); the question is kept' })
  @ApiGatewayTimeoutResponse({ description: 'KNOWLEDGE.ANSWER_PROVIDER_TIMEOUT (the question is kept)' })
  async ask(
    @Param('workspaceId') ws: string,
    @Body() body: AskQuestionRequestDto,
    @AskingUser() userId: string,
    @CommandMeta() meta: CommandMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return await this.askQuestion.ask({ workspaceId: ws, userId, question: body.question, conversationId: body.conversationId }, meta);
    } catch (err) {
      // Problem bodies of 5xx carry no details: what a client needs to retry travels in headers.
      if (err instanceof ConversationError && err.code !== ConversationErrorCode.ConversationNotFound) {
        const { conversationId, retryAfterMs } = err.details as { conversationId?: string; retryAfterMs?: number };
        if (conversationId) res.setHeader('X-Conversation-Id', conversationId);
        if (typeof retryAfterMs === 'number' && err.code === ConversationErrorCode.AnswerProviderUnavailable) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      }
      throw err;
    }
  }
}

import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { registerErrorStatuses } from '@libs/common/http/error-status.registry';
import { DataSubjects } from '@libs/event-store/data-subjects';
import { EventTypeRegistry } from '@libs/event-store/event-type-registry';
import { ProjectionRegistry } from '@libs/eventsourcing/projections/projection.registry';
import { AskQuestion } from './application/ask/ask-question.handler';
import { AskQuestionHttpController } from './application/ask/ask-question.http.controller';
import { ArchiveConversation } from './application/conversations/archive-conversation.handler';
import { ConversationAggregate } from './application/conversations/conversation-aggregate';
import { conversationErrorStatuses } from './application/conversations/conversation.errors.http';
import { ConversationQueries } from './application/conversations/conversation.queries';
import { ConversationsHttpController } from './application/conversations/conversations.http.controller';
import { conversationAuditVisibility, conversationPersonalData } from './domain/conversation/conversation.events';
import { KnowledgeSearchModule } from './knowledge-search.module';
import { eraseAskersConversations } from './projections/conversation-erasure';
import { ConversationMessagesProjection } from './projections/conversation-messages.projection';
import { ConversationsProjection } from './projections/conversations.projection';

registerErrorStatuses(conversationErrorStatuses);

/** Conversation read models, the asker's personal fields and their erasure: shared by the app and the CLI (rebuilds, erasures). */
@Injectable()
class ConversationsRegistrar implements OnModuleInit {
  constructor(
    private readonly projections: ProjectionRegistry,
    private readonly eventTypes: EventTypeRegistry,
    private readonly subjects: DataSubjects,
  ) {}

  onModuleInit(): void {
    this.projections.register(new ConversationsProjection(), new ConversationMessagesProjection());
    for (const [type, spec] of Object.entries(conversationPersonalData)) this.eventTypes.personalData(type, spec);
    for (const [type, spec] of Object.entries(conversationAuditVisibility)) this.eventTypes.auditVisibility(type, spec);
    this.subjects.onErasure(eraseAskersConversations);
  }
}

@Module({ providers: [ConversationsRegistrar] })
export class KnowledgeAskProjectionsModule {}

/** Ask: answers from retrieved chunks with numbered citations; conversations and their messages. */
@Module({
  imports: [KnowledgeAskProjectionsModule, KnowledgeSearchModule],
  controllers: [AskQuestionHttpController, ConversationsHttpController],
  providers: [ConversationQueries, ConversationAggregate, AskQuestion, ArchiveConversation],
})
export class KnowledgeAskModule {}

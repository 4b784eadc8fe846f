import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { ConversationAggregate } from './conversation-aggregate';

/** DELETE of a conversation: archived (is_active false), out of the owner's list; the log keeps it. */
@Injectable()
export class ArchiveConversation {
  constructor(private readonly conversations: ConversationAggregate) {}

  async archive(workspaceId: string, userId: string, conversationId: string, meta: CommandMetadata): Promise<void> {
    await this.conversations.handle(conversationId, { kind: 'archive', workspaceId, userId, now: meta.now }, meta, () => null);
  }
}

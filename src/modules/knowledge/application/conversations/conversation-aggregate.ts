import { Injectable } from '@nestjs/common';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { EventSourcedCommandHandler, HandleCommandOptions } from '@libs/eventsourcing/event-sourced-command.handler';
import { ConversationCommand, conversationDecider, ConversationState } from '@modules/knowledge/domain/conversation/conversation.decider';
import { ConversationEvent } from '@modules/knowledge/domain/conversation/conversation.events';

export const conversationStreamId = (conversationId: string) => `ai-conversation-${conversationId}`;

/** The write side of conversations: stream naming and the decider behind one call. */
@Injectable()
export class ConversationAggregate {
  constructor(private readonly handler: EventSourcedCommandHandler) {}

  handle<R>(
    conversationId: string,
    command: ConversationCommand,
    metadata: CommandMetadata,
    result: HandleCommandOptions<ConversationState, ConversationEvent, R>['result'],
    fingerprint?: unknown,
  ) {
    return this.handler.handle(conversationDecider, command, {
      streamId: conversationStreamId(conversationId),
      streamType: 'ai-conversation',
      // The turn is decided from the state it is appended to: a conflict decides again on fresh state.
      metadata: { ...metadata, expectedVersion: undefined },
      requestFingerprint: fingerprint,
      result,
    });
  }
}

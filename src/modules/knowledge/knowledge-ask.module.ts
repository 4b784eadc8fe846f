import { Module } from '@nestjs/common';

/** Ask: answers from retrieved chunks with numbered citations; conversations and their messages. */
@Module({})
export class KnowledgeAskModule {}

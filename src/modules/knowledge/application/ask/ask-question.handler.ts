import { Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AiErrorKind, AiProviderError } from '@libs/ai/ai-call';
import { LlmClient, LlmDocument, LlmMessage } from '@libs/ai/llm-client';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { ConversationAggregate } from '@modules/knowledge/application/conversations/conversation-aggregate';
import { ConversationQueries } from '@modules/knowledge/application/conversations/conversation.queries';
import { ASK_SYSTEM_PROMPT, HISTORY_MAX_MESSAGES, historyContent } from '@modules/knowledge/domain/conversation/ask-prompt';
import { NO_ANSWER, renumberCitations } from '@modules/knowledge/domain/conversation/cited-answer';
import { Reply, Turn } from '@modules/knowledge/domain/conversation/conversation.decider';
import { ConversationError, ConversationErrorCode as Code } from '@modules/knowledge/domain/conversation/conversation.errors';
import { AnswerCitation, SearchFunctionCall } from '@modules/knowledge/domain/conversation/conversation.events';
import { keepRelevant } from '@modules/knowledge/domain/conversation/relevance';
import { anyWordQuery, retrievalQuery } from '@modules/knowledge/domain/conversation/retrieval-query';
import { KnowledgeSearch, SearchHit, SearchMode } from '@modules/knowledge/contracts/knowledge-search';
import { KnowledgeSearchError } from '@modules/knowledge/domain/search/knowledge-search.errors';

export interface AskQuestionCommand {
  workspaceId: string;
  userId: string;
  question: string;
  conversationId?: string;
}

export interface AskAnswer {
  conversationId: string;
  /** The stored assistant message. */
  messageId: string;
  /** The stored question. */
  questionMessageId: string;
  answer: string;
  grounded: boolean;
  citations: AnswerCitation[];
  model: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
}

/** The note a question keeps when the model failed to answer it. */
const FAILURE_NOTES: Record<AiErrorKind, string> = {
  timeout: 'The answer model did not answer in time.',
  rate_limited: 'The answer model was rate-limited.',
  server: 'The answer model failed on its side.',
  network: 'The answer model could not be reached.',
  bad_request: 'The answer model refused the request.',
  auth: "The answer model refused the platform's credentials.",
  invalid_output: 'The answer model answered something unreadable.',
  unsupported: 'The answer model cannot answer this kind of request.',
};

/** Hits searched for per question: the documents of the answer are the relevant ones among them. */
export const ASK_SEARCH_LIMIT = 8;
/** Earlier questions scanned for the topic of a follow-up. */
const TOPIC_LOOKBACK_MESSAGES = 20;

/**
 * Ask: retrieves the workspace's passages for a question (following the conversation for a
 * follow-up), answers from the relevant ones only with numbered citations, and records the turn
 * in the asker's conversation. Nothing relevant: says so, without calling the model. The
 * provider failing: the question is still recorded, with a note, and the caller gets a 502/503/504.
 */
@Injectable()
export class AskQuestion {
  private readonly logger = new Logger('KnowledgeAsk');

  constructor(
    private readonly search: KnowledgeSearch,
    private readonly llm: LlmClient,
    private readonly queries: ConversationQueries,
    private readonly conversations: ConversationAggregate,
  ) {}

  async ask(cmd: AskQuestionCommand, meta: CommandMetadata): Promise<AskAnswer> {
    const history = cmd.conversationId ? await this.history(cmd) : [];
    const earlierQuestions = history.filter((m) => m.role === 'user').map((m) => m.content);
    const q = retrievalQuery(cmd.question, earlierQuestions);
    const question = { messageId: uuidv7(), content: cmd.question };
    let reply: Reply;
    try {
      reply = await this.answer(cmd, q, history.slice(-HISTORY_MAX_MESSAGES), meta.now);
    } catch (err) {
      if (!(err instanceof AiProviderError)) throw err;
      // The provider's own words (URLs, masked keys, quotas) are for the operator's log, not for the conversation.
      this.logger.warn({ err, workspaceId: cmd.workspaceId, kind: err.kind }, 'knowledge.ask: the answer model failed');
      const failed = { kind: 'failure', error: { kind: err.kind, message: FAILURE_NOTES[err.kind], retryable: err.retryable } } as const;
      // Kept without the Idempotency-Key: a retry with the same key must try again, not replay the failure.
      const conversationId = await this.record(cmd, { question, reply: failed }, { ...meta, idempotencyKey: undefined }).then((r) => r.conversationId);
      throw providerFailure(err, conversationId);
    }
    return (await this.record(cmd, { question, reply }, meta)).answer!;
  }

  private async history(cmd: AskQuestionCommand) {
    const conversation = await this.queries.conversation(cmd.workspaceId, cmd.userId, cmd.conversationId!);
    if (!conversation) throw new ConversationError(Code.ConversationNotFound, 'No such conversation', { conversationId: cmd.conversationId });
    return this.queries.messages(conversation.id, TOPIC_LOOKBACK_MESSAGES);
  }

  private async answer(cmd: AskQuestionCommand, q: string, history: { role: string; content: string }[], askedAt: Date): Promise<Reply> {
    const started = Date.now();
    const { hits, mode } = await this.retrieve(cmd.workspaceId, q, cmd.userId);
    const { relevant, discarded } = keepRelevant(hits, q);
    const functionCalls: SearchFunctionCall[] = [{ name: 'search', arguments: { q, mode, limit: ASK_SEARCH_LIMIT }, result: { chunkIds: relevant.map((h) => h.chunkId), discarded } }];
    const nothing = (extra: Partial<Extract<Reply, { kind: 'answer' }>> = {}): Reply => ({
      kind: 'answer',
      messageId: uuidv7(),
      content: NO_ANSWER,
      citations: [],
      functionCalls,
      tokensUsed: 0,
      model: null,
      metadata: { grounded: false, latencyMs: Date.now() - started, provider: null, promptTokens: 0, completionTokens: 0 },
      at: laterThan(askedAt),
      ...extra,
    });
    if (relevant.length === 0) return nothing();

    const messages: LlmMessage[] = [
      { role: 'system', content: ASK_SYSTEM_PROMPT },
      ...history.filter((m): m is { role: 'user' | 'assistant'; content: string } => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role, content: historyContent(m.role, m.content) })),
      { role: 'user', content: cmd.question },
    ];
    const result = await this.llm.complete({ messages, documents: relevant.map(documentOf) }, { workspaceId: cmd.workspaceId, workflow: 'knowledge.ask', node: 'answer', userId: cmd.userId });
    const metered = {
      tokensUsed: result.usage.totalTokens,
      model: result.model,
      metadata: { grounded: false, latencyMs: Date.now() - started, provider: result.provider, promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens },
    };
    // An answer the model does not rest on the documents is not shown: no invented answers, no unrelated citations.
    const cited = result.grounded ? renumberCitations(result.text, relevant.length) : null;
    if (!cited) return nothing(metered);
    return {
      kind: 'answer',
      messageId: uuidv7(),
      content: cited.text,
      citations: cited.positions.map((p, i) => citationOf(i + 1, relevant[p - 1])),
      functionCalls,
      ...metered,
      metadata: { ...metered.metadata, grounded: true },
      at: laterThan(askedAt),
    };
  }

  /** Hybrid search; full-text alone when the semantic half cannot run (embedder down, vectors of another model). */
  private async retrieve(workspaceId: string, q: string, userId: string): Promise<{ hits: SearchHit[]; mode: SearchMode }> {
    try {
      return { hits: await this.search.search({ workspaceId, q, mode: 'hybrid', limit: ASK_SEARCH_LIMIT, userId }), mode: 'hybrid' };
    } catch (err) {
      if (!(err instanceof KnowledgeSearchError)) throw err;
      this.logger.warn({ code: err.code, workspaceId }, 'knowledge.ask: semantic search unavailable, answering from full-text search');
      return { hits: await this.search.search({ workspaceId, q: anyWordQuery(q), mode: 'fulltext', limit: ASK_SEARCH_LIMIT }), mode: 'fulltext' };
    }
  }

  private async record(cmd: AskQuestionCommand, turn: Turn, meta: CommandMetadata): Promise<{ conversationId: string; answer: AskAnswer | null }> {
    const conversationId = cmd.conversationId ?? uuidv7();
    const command = cmd.conversationId
      ? ({ kind: 'continue', workspaceId: cmd.workspaceId, userId: cmd.userId, turn, now: meta.now } as const)
      : ({ kind: 'start', conversationId, workspaceId: cmd.workspaceId, userId: cmd.userId, turn, now: meta.now } as const);
    const handled = await this.conversations.handle(conversationId, command, meta, () => responseOf(conversationId, turn), {
      question: cmd.question,
      conversationId: cmd.conversationId ?? null,
    });
    return { conversationId, answer: handled.result };
  }
}

function responseOf(conversationId: string, turn: Turn): AskAnswer | null {
  const { question, reply } = turn;
  if (reply.kind === 'failure') return null;
  return {
    conversationId,
    messageId: reply.messageId,
    questionMessageId: question.messageId,
    answer: reply.content,
    grounded: reply.metadata.grounded,
    citations: reply.citations,
    model: reply.model,
    usage: { promptTokens: reply.metadata.promptTokens, completionTokens: reply.metadata.completionTokens, totalTokens: reply.tokensUsed },
  };
}

/** The answer is recorded after its question even when both fall in the same millisecond. */
function laterThan(askedAt: Date): Date {
  return new Date(Math.max(Date.now(), askedAt.getTime() + 1));
}

function documentOf(hit: SearchHit): LlmDocument {
  const m = hit.message;
  const where = m.channelName ? `#${m.channelName}` : m.sourceKind;
  return { id: hit.chunkId, text: hit.text, title: `${m.author.name ?? 'Unknown'} in ${where}, ${m.sentAt.slice(0, 10)}` };
}

function citationOf(n: number, hit: SearchHit): AnswerCitation {
  const m = hit.message;
  return {
    n,
    messageId: hit.messageId,
    externalId: m.externalId,
    chunkId: hit.chunkId,
    text: hit.text,
    sourceKind: m.sourceKind,
    channelName: m.channelName,
    sentAt: m.sentAt,
    link: m.link,
    score: hit.score,
  };
}

function providerFailure(err: AiProviderError, conversationId: string): ConversationError {
  const details = { conversationId, provider: err.details.provider, kind: err.kind, retryAfterMs: err.details.retryAfterMs };
  if (err.kind === 'timeout') return new ConversationError(Code.AnswerProviderTimeout, 'The answer model did not answer in time; the question is kept, ask again later', details);
  if (err.retryable) return new ConversationError(Code.AnswerProviderUnavailable, 'The answer model is unavailable; the question is kept, ask again later', details);
  return new ConversationError(Code.AnswerProviderFailed, 'The answer model refused the request; the question is kept', details);
}

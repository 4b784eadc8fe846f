import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { PG_POOL } from '@libs/database/database-backend';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { markHeadline } from '@modules/knowledge/domain/search/highlight';
import { EvidenceQueries, EvidenceRow } from '@modules/knowledge/infrastructure/evidence.queries';
import { ListEvidenceQueryDto } from './list-evidence.request.dto';

export interface EvidenceItem {
  id: string;
  kind: string;
  messageId: string | null;
  sourceId: string | null;
  sourceKind: string | null;
  channelId: string | null;
  channelName: string | null;
  conversationId: string | null;
  externalId: string | null;
  author: { name: string | null; subjectId: string | null };
  occurredAt: string;
  title: string | null;
  /** Plain text: the start of the content. */
  snippet: string;
  /** With q: HTML, the text escaped and the matches in <mark>…</mark>. */
  headline: string | null;
  score: number | null;
  link: { api: string | null; external: string | null };
}

const itemOf = (ws: string, r: EvidenceRow): EvidenceItem => ({
  id: r.id,
  kind: r.kind,
  messageId: r.message_id,
  sourceId: r.source_id,
  sourceKind: r.source_kind,
  channelId: r.channel_id,
  channelName: r.channel_name,
  conversationId: r.conversation_id,
  externalId: r.external_id,
  author: { name: r.author_name, subjectId: r.author_subject_id },
  occurredAt: r.occurred_at.toISOString(),
  title: r.title,
  snippet: r.snippet,
  headline: r.headline !== undefined ? markHeadline(r.headline) : null,
  score: r.score ?? null,
  link: { api: r.message_id ? `/api/v1/workspaces/${ws}/messages/${r.message_id}` : null, external: r.external_url },
});

@ApiTags('knowledge')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/evidence')
export class ListEvidenceHttpController {
  private readonly queries: EvidenceQueries;

  constructor(@Inject(PG_POOL) pool: Pool, @Inject(APP_CONFIG) config: AppConfig) {
    this.queries = new EvidenceQueries(pool, config.SEARCH_TEXT_CONFIG);
  }

  @Get()
  @ApiOperation({ summary: 'Evidence items (one per message): full-text search ranked with highlighted headlines, or newest first; filtered by kind, source and time' })
  @ApiOkResponse({ description: '{ items: [{ id, kind, messageId, sourceId, sourceKind, channelName, author, occurredAt, title, snippet, headline, score, link }], nextCursor }' })
  async list(@Param('workspaceId') workspaceId: string, @Query() dto: ListEvidenceQueryDto): Promise<{ items: EvidenceItem[]; nextCursor: string | null }> {
    const page = await this.queries.list(workspaceId, { q: dto.q || undefined, kind: dto.kind, sourceId: dto.source, from: dto.from, to: dto.to, limit: dto.limit ?? 50, cursor: dto.cursor });
    return { items: page.rows.map((r) => itemOf(workspaceId, r)), nextCursor: page.nextCursor };
  }
}

import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { PG_POOL } from '@libs/database/database-backend';
import type { AppConfig } from '@config/app-config';
import { APP_CONFIG } from '@config/config.module';
import { EvidenceQueries } from '@modules/knowledge/infrastructure/evidence.queries';
import { ListEvidenceQueryDto } from './list-evidence.request.dto';
import { EvidenceItem, evidenceItemOf } from './list-evidence.response.dto';

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
    return { items: page.rows.map((r) => evidenceItemOf(workspaceId, r)), nextCursor: page.nextCursor };
  }
}

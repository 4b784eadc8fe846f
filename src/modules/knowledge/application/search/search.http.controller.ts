import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { WorkspaceScoped } from '@libs/common/auth/workspace-scoped.decorator';
import { KnowledgeSearch, SearchHit, SearchMode } from '@modules/knowledge/contracts/knowledge-search';
import { SearchQueryDto } from './search.request.dto';

@ApiTags('knowledge')
@WorkspaceScoped()
@Controller('api/v1/workspaces/:workspaceId/search')
export class SearchHttpController {
  constructor(private readonly search: KnowledgeSearch) {}

  @Get()
  @ApiOperation({
    summary: 'Search the workspace\'s messages: full-text, semantic or hybrid (reciprocal rank fusion), filtered by source, channel, author and time',
    description:
      'Each hit is a chunk of a message with its citation (message id, source, author, sent at, links). `snippet` is HTML: the text escaped, full-text matches in <mark>…</mark>.',
  })
  @ApiOkResponse({ description: '{ items: [{ messageId, chunkId, chunkIndex, text, snippet, score, ranks, similarity, message }], mode, tookMs }' })
  @ApiConflictResponse({ description: 'KNOWLEDGE.EMBEDDING_MODEL_CHANGED: semantic/hybrid while the stored vectors belong to another model (run `npm run cli -- knowledge reembed`)' })
  @ApiServiceUnavailableResponse({ description: 'KNOWLEDGE.EMBEDDER_UNAVAILABLE: the embedding provider could not embed the query' })
  async find(@Param('workspaceId') workspaceId: string, @Query() dto: SearchQueryDto): Promise<{ items: SearchHit[]; mode: SearchMode; tookMs: number }> {
    const started = performance.now();
    const mode = dto.mode ?? 'hybrid';
    const items = await this.search.search({
      workspaceId,
      q: dto.q,
      mode,
      limit: dto.limit ?? 20,
      filters: { sourceId: dto.source, channel: dto.channel, author: dto.author, from: dto.from, to: dto.to },
    });
    return { items, mode, tookMs: Math.round(performance.now() - started) };
  }
}

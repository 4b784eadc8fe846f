import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { ProjectionAdmin } from '@libs/eventsourcing/projections/projection-admin';
import { ProjectionRebuilder } from '@libs/eventsourcing/projections/projection-rebuilder';
import { ParkedEventAdmin } from '@libs/eventsourcing/subscriptions/parked-event-admin';
import { ParkedEvents } from '@libs/eventsourcing/subscriptions/parked-events';
import { EmptyBodyDto, ParkedEventsQueryDto, RebuildsQueryDto } from './projections-admin.request.dto';

/** Projections, rebuilds and parked events for operators (superuser only). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin')
export class ProjectionsAdminController {
  constructor(
    private readonly projections: ProjectionAdmin,
    private readonly rebuilder: ProjectionRebuilder,
    private readonly parked: ParkedEvents,
    private readonly parkedAdmin: ParkedEventAdmin,
  ) {}

  @Get('projections')
  @ApiOkResponse({ description: '{ items: [{ name, status, checkpoint, lag, lastError, updatedAt, ... }] }' })
  async list() {
    return { items: await this.projections.list() };
  }

  @Post('projections/:name/rebuild')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{ rebuildId }: progress in GET /projections and /projections/rebuilds' })
  async rebuild(@Param('name') name: string, @Body() _body: EmptyBodyDto) {
    return { rebuildId: await this.projections.requestRebuild(name, 'api') };
  }

  @Get('projections/rebuilds')
  async rebuilds(@Query() q: RebuildsQueryDto) {
    return { items: await this.rebuilder.list(q.projection, 50) };
  }

  @Get('parked-events')
  async parkedEvents(@Query() q: ParkedEventsQueryDto) {
    return { items: await this.parked.list({ subscription: q.subscription, status: q.status ?? 'parked' }) };
  }

  @Post('parked-events/:id/retry')
  @HttpCode(200)
  retry(@Param('id', ParseIntPipe) id: number) {
    return this.parkedAdmin.retry(id);
  }

  @Post('parked-events/:id/skip')
  @HttpCode(204)
  async skip(@Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.parkedAdmin.skip(id);
  }
}

import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '@libs/common/auth/admin.guard';
import { EventPartitions } from '@libs/event-store/event-partitions';
import { EVENT_STORE_OPTIONS, EventStoreModuleOptions } from '@libs/event-store/event-store.module';
import { EnsurePartitionsDto } from './partitions-admin.request.dto';

/** The monthly partitions of the event log (superuser only). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/v1/admin/partitions')
export class PartitionsAdminController {
  constructor(
    private readonly partitions: EventPartitions,
    @Inject(EVENT_STORE_OPTIONS) private readonly options: EventStoreModuleOptions,
  ) {}

  @Get()
  @ApiOkResponse({ description: '{ items: [{ name, from, to, isDefault, rows, totalBytes }] }' })
  async list() {
    return { items: await this.partitions.list() };
  }

  @Post('ensure')
  @HttpCode(200)
  async ensure(@Body() body: EnsurePartitionsDto) {
    return { created: await this.partitions.ensureAhead(body.monthsAhead ?? this.options.partitionMonthsAhead) };
  }

  /** Detaches a past month (YYYY-MM) for archive; it stays as table archived_events_yYYYYmMM. */
  @Post(':month/detach')
  @HttpCode(200)
  detach(@Param('month') month: string) {
    return this.partitions.detachMonth(month);
  }
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { ValidationFailedError } from '@libs/common/errors/application-error';
import { EventCriteria } from '@modules/audit/infrastructure/audit-events.queries';

/** Filters of the admin event log as the client sends them (times as ISO 8601 strings, UTC once validated). */
export interface EventFilters {
  streamId?: string;
  streamType?: string;
  eventType?: string;
  actorId?: string;
  correlationId?: string;
  workspaceId?: string;
  from?: string;
  to?: string;
}

/** Query string of the filters, shared by the paged list and the NDJSON export. */
export class EventFiltersRequestDto implements EventFilters {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  streamId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  streamType?: string;

  @ApiPropertyOptional({ example: 'crm.contact-merged' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  eventType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @ApiPropertyOptional({ description: 'The request id that appended the events' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  correlationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  workspaceId?: string;

  @ApiPropertyOptional({ description: 'Inclusive lower bound of recordedAt (ISO 8601)', example: '2026-01-01T00:00:00Z' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Exclusive upper bound of recordedAt (ISO 8601)', example: '2026-02-01T00:00:00Z' })
  @IsOptional()
  @IsIsoDate()
  to?: string;
}

/** The criteria of the query; a time range that selects nothing by construction is a client error. */
export function toEventCriteria(filters: EventFilters): EventCriteria {
  const from = filters.from !== undefined ? new Date(filters.from) : undefined;
  const to = filters.to !== undefined ? new Date(filters.to) : undefined;
  if (from && to && from.getTime() >= to.getTime()) {
    throw new ValidationFailedError('The time range is empty', [{ field: 'from', message: 'from must be earlier than to' }]);
  }
  return {
    streamId: filters.streamId,
    streamType: filters.streamType,
    eventType: filters.eventType,
    actorId: filters.actorId,
    correlationId: filters.correlationId,
    workspaceId: filters.workspaceId,
    from,
    to,
  };
}

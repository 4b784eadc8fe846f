import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the audit answers (the handlers return plain objects of these shapes). */
export class AuditEventResponseDto {
  @ApiProperty({ description: 'Position in the log (identity); order is (transactionId, globalPosition)' })
  globalPosition!: number;

  @ApiProperty({ description: 'xid8 of the appending transaction, as a decimal string' })
  transactionId!: string;

  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty()
  streamId!: string;

  @ApiProperty()
  streamVersion!: number;

  @ApiProperty()
  streamType!: string;

  @ApiProperty()
  eventType!: string;

  @ApiProperty({ description: "Schema version of `payload` (the type's current one after upcasting)" })
  schemaVersion!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workspaceId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  actorId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  correlationId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Id of the command or event that caused this event' })
  causationId!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt!: Date;

  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: unknown;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    description: "Personal fields of an erased data subject (crypto-shredded): their values read '[erased]'. Absent when none.",
  })
  erasedFields?: string[];
}

export class EventPageResponseDto {
  @ApiProperty({ type: [AuditEventResponseDto] })
  items!: AuditEventResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Opaque; pass as ?cursor= for the next page, null at the end' })
  nextCursor!: string | null;
}

export class StreamHistoryResponseDto {
  @ApiProperty()
  streamId!: string;

  @ApiProperty()
  streamType!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workspaceId!: string | null;

  @ApiProperty()
  currentVersion!: number;

  @ApiProperty()
  archived!: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;

  @ApiProperty({ type: [AuditEventResponseDto], description: 'Oldest first, up to atVersion when given' })
  events!: AuditEventResponseDto[];
}

export class CausedEventResponseDto extends AuditEventResponseDto {
  @ApiProperty({ type: () => [CausationGroupResponseDto], description: 'Events whose causationId is this eventId' })
  caused!: CausationGroupResponseDto[];
}

export class CausationGroupResponseDto {
  @ApiProperty({ type: String, nullable: true })
  causationId!: string | null;

  @ApiProperty({ type: () => [CausedEventResponseDto] })
  events!: CausedEventResponseDto[];
}

export class CorrelationResponseDto {
  @ApiProperty()
  correlationId!: string;

  @ApiProperty({ type: [AuditEventResponseDto], description: 'In log order' })
  events!: AuditEventResponseDto[];

  @ApiProperty({ type: [CausationGroupResponseDto], description: 'Roots: groups whose causationId is no event of the set (the command id)' })
  tree!: CausationGroupResponseDto[];

  @ApiProperty({ description: 'True when the correlation holds more events than one answer carries (the first ones are shown)' })
  truncated!: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsJSON, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { SOURCE_KINDS, SourceKind } from '@modules/ingestion/contracts/ingestion.integration-events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ImportSourceDto {
  @ApiProperty({ enum: SOURCE_KINDS }) @IsIn(SOURCE_KINDS as unknown as string[]) kind!: SourceKind;
  @ApiProperty() @Transform(trim) @IsString() @Length(1, 100) name!: string;
}

/** docs/api.md: `{ source: { kind, name }, messages: [{ externalId, content, sentAt, author?, channel?, threadId?, title?, metadata? }] }`. */
export class ImportMessagesJsonDto {
  @ApiProperty({ type: ImportSourceDto }) @ValidateNested() @Type(() => ImportSourceDto) source!: ImportSourceDto;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Each row is validated on its own: bad rows are reported, good ones stored' })
  @IsArray()
  @ArrayMaxSize(50_000)
  messages!: unknown[];
}

/** For NDJSON (application/x-ndjson) and CSV (text/csv) bodies, which carry only messages. */
export class ImportMessagesQueryDto {
  @ApiPropertyOptional({ description: 'An existing source of this workspace' }) @IsOptional() @IsUUID() sourceId?: string;
  @ApiPropertyOptional({ enum: SOURCE_KINDS }) @IsOptional() @IsIn(SOURCE_KINDS as unknown as string[]) sourceKind?: SourceKind;
  @ApiPropertyOptional() @IsOptional() @Transform(trim) @IsString() @Length(1, 100) sourceName?: string;
  @ApiPropertyOptional({ description: 'CSV header mapping as JSON, e.g. {"content":"Body","sentAt":"Date"}' }) @IsOptional() @IsJSON() mapping?: string;
}

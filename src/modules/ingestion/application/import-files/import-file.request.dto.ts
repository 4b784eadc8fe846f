import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsJSON, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { IMPORT_FILE_FORMATS, ImportFileFormat } from './import-file-formats';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** docs/api.md: multipart `file`, `format`, `sourceId?` (plus `sourceName?` and a CSV `mapping?`). */
export class ImportFileRequestDto {
  /** The file part itself is taken by multer (@UploadedFile); declared here for OpenAPI, and allowed by the whitelist. */
  @ApiProperty({ type: 'string', format: 'binary', description: 'The export file (up to IMPORT_MAX_FILE_MB, 1024 MB by default)' })
  @IsOptional()
  file?: unknown;

  @ApiPropertyOptional({ enum: IMPORT_FILE_FORMATS, description: 'Told from the file name when left out (.zip, result.json, .mbox, .eml, .csv, .ndjson/.jsonl, .json); a .zip is slack-export when it holds channels.json or users.json, else email-zip when it holds .eml or .mbox files' })
  @IsOptional()
  @IsIn(IMPORT_FILE_FORMATS as unknown as string[])
  format?: ImportFileFormat;

  @ApiPropertyOptional({ description: 'An existing source of this workspace; else a source of the format\'s kind named sourceName, or after the file, is found or made' })
  @IsOptional()
  @IsUUID()
  sourceId?: string;

  @ApiPropertyOptional({ description: 'The source name when no sourceId is given (default: the file name without its extension)' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  sourceName?: string;

  @ApiPropertyOptional({ description: 'CSV header mapping as JSON, e.g. {"content":"Body","sentAt":"Date"}' })
  @IsOptional()
  @IsJSON()
  mapping?: string;
}

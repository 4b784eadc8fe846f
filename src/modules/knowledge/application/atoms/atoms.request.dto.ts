import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { ATOM_CONTENT_MAX, ATOM_TITLE_MAX } from '@modules/knowledge/domain/atom/atom.decider';
import { ATOM_TYPES, AtomType, LINK_TYPES, LinkType } from '@modules/knowledge/domain/atom/atom.events';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const booleanString = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class CreateAtomRequestDto {
  @ApiProperty({ enum: ATOM_TYPES }) @IsIn(ATOM_TYPES as unknown as string[]) type!: AtomType;
  @ApiProperty({ maxLength: ATOM_TITLE_MAX }) @Transform(trim) @IsString() @Length(1, ATOM_TITLE_MAX) title!: string;
  @ApiProperty({ maxLength: ATOM_CONTENT_MAX }) @Transform(trim) @IsString() @Length(1, ATOM_CONTENT_MAX) content!: string;
  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 1 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) confidence?: number | null;
  @ApiPropertyOptional({ description: 'Structured metadata (a JSON object)' }) @IsOptional() @IsObject() meta?: Record<string, unknown>;
}

export class UpdateAtomRequestDto {
  @ApiPropertyOptional({ enum: ATOM_TYPES }) @IsOptional() @IsIn(ATOM_TYPES as unknown as string[]) type?: AtomType;
  @ApiPropertyOptional({ maxLength: ATOM_TITLE_MAX }) @IsOptional() @Transform(trim) @IsString() @Length(1, ATOM_TITLE_MAX) title?: string;
  @ApiPropertyOptional({ maxLength: ATOM_CONTENT_MAX }) @IsOptional() @Transform(trim) @IsString() @Length(1, ATOM_CONTENT_MAX) content?: string;
  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 1, description: 'null: unknown' }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) confidence?: number | null;
  @ApiPropertyOptional({ description: 'Replaces the metadata' }) @IsOptional() @IsObject() meta?: Record<string, unknown>;
}

export class ListAtomsQueryDto {
  @ApiPropertyOptional({ enum: ATOM_TYPES }) @IsOptional() @IsIn(ATOM_TYPES as unknown as string[]) type?: AtomType;
  @ApiPropertyOptional({ description: 'Part of the title or content (any case); /atoms/search ranks by meaning' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ description: 'Only atoms whose latest version is (true) or is not (false) approved' }) @IsOptional() @Transform(booleanString) @IsBoolean() approved?: boolean;
  @ApiPropertyOptional({ format: 'uuid', description: 'Only atoms of this topic' }) @IsOptional() @IsUUID() topicId?: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @Transform(booleanString) @IsBoolean() includeArchived?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class SearchAtomsQueryDto {
  @ApiProperty({ maxLength: 1000 }) @Transform(trim) @IsString() @Length(1, 1000) q!: string;
  @ApiPropertyOptional({ default: 10, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ enum: ATOM_TYPES }) @IsOptional() @IsIn(ATOM_TYPES as unknown as string[]) type?: AtomType;
}

export class LinkAtomRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() toAtomId!: string;
  @ApiProperty({ enum: LINK_TYPES }) @IsIn(LINK_TYPES as unknown as string[]) linkType!: LinkType;
  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 1 }) @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) strength?: number | null;
}

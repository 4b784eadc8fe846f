import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { TOPIC_DESCRIPTION_MAX, TOPIC_ICON_MAX, TOPIC_NAME_MAX } from '@modules/knowledge/domain/topic/topic.decider';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const booleanString = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

const COLOR = 'A hex color #RRGGBB, or a Tailwind color name ("blue" = blue-500, "emerald-700"), stored as #rrggbb';

export class CreateTopicRequestDto {
  @ApiProperty({ maxLength: TOPIC_NAME_MAX, description: 'Unique in the workspace, whatever the case' }) @Transform(trim) @IsString() @Length(1, TOPIC_NAME_MAX) name!: string;
  @ApiPropertyOptional({ maxLength: TOPIC_DESCRIPTION_MAX, default: '' }) @IsOptional() @IsString() @MaxLength(TOPIC_DESCRIPTION_MAX) description?: string;
  @ApiPropertyOptional({ nullable: true, maxLength: TOPIC_ICON_MAX, description: 'An icon identifier (Heroicons name); picked from the name when absent, none when null' })
  @IsOptional()
  @IsString()
  @MaxLength(TOPIC_ICON_MAX)
  icon?: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'emerald-500', description: `${COLOR}; picked from the name when absent, none when null` })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  color?: string | null;
}

export class UpdateTopicRequestDto {
  @ApiPropertyOptional({ maxLength: TOPIC_NAME_MAX }) @IsOptional() @Transform(trim) @IsString() @Length(1, TOPIC_NAME_MAX) name?: string;
  @ApiPropertyOptional({ maxLength: TOPIC_DESCRIPTION_MAX }) @IsOptional() @IsString() @MaxLength(TOPIC_DESCRIPTION_MAX) description?: string;
  @ApiPropertyOptional({ nullable: true, maxLength: TOPIC_ICON_MAX, description: 'null removes it' }) @IsOptional() @IsString() @MaxLength(TOPIC_ICON_MAX) icon?: string | null;
  @ApiPropertyOptional({ nullable: true, description: `${COLOR}; null removes it` }) @IsOptional() @IsString() @MaxLength(30) color?: string | null;
}

export class ListTopicsQueryDto {
  @ApiPropertyOptional({ description: 'Part of the name or description (any case)' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ default: false }) @IsOptional() @Transform(booleanString) @IsBoolean() includeArchived?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class AddTopicAtomRequestDto {
  @ApiPropertyOptional({ description: 'Order in the topic (0 first); last when absent for a new member' }) @IsOptional() @IsInt() @Min(0) @Max(1_000_000) position?: number;
  @ApiPropertyOptional({ nullable: true, maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) note?: string | null;
}

export class CompareVersionsQueryDto {
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) from!: number;
  @ApiProperty({ minimum: 1 }) @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) to!: number;
}

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

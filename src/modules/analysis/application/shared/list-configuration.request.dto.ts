import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const booleanString = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** `?limit=&cursor=&active=` of every configuration list. */
export class ListConfigurationQueryDto {
  @ApiPropertyOptional({ description: 'true: only active items; false: only inactive; absent: all' }) @IsOptional() @Transform(booleanString) @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' }) @IsOptional() @IsString() @MaxLength(2048) cursor?: string;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

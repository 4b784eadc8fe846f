import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class GetStreamHistoryRequestDto {
  @ApiPropertyOptional({ minimum: 1, description: 'Show the stream as it was at this version (its first N events)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  // Past this a number is no longer exact (and 1e300 would fail the bigint comparison: a 500).
  @Max(Number.MAX_SAFE_INTEGER)
  atVersion?: number;
}

import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

export class GetStreamHistoryRequestDto {
  @ApiPropertyOptional({ minimum: 1, description: 'Show the stream as it was at this version (its first N events)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  atVersion?: number;
}

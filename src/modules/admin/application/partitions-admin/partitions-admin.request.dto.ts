import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class EnsurePartitionsDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120)
  monthsAhead?: number;
}

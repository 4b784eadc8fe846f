import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export class ParkedEventsQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  subscription?: string;

  @IsOptional()
  @IsIn(['parked', 'retried', 'skipped'])
  status?: 'parked' | 'retried' | 'skipped';
}

export class RebuildsQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  projection?: string;
}

export class EmptyBodyDto {}

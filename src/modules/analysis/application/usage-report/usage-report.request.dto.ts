import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsIsoDate } from '@libs/common/http/iso-date';
import { ADMIN_USAGE_GROUP_KEYS, USAGE_GROUP_KEYS } from '@modules/analysis/domain/usage-report/usage-report';

export class UsageReportQueryDto {
  @ApiPropertyOptional({ description: 'Calls made at or after (ISO 8601; default: the start of the current UTC month)' })
  @IsOptional()
  @IsIsoDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Calls made before (ISO 8601, exclusive; default: now). At most 366 days after from' })
  @IsOptional()
  @IsIsoDate()
  to?: string;

  @ApiPropertyOptional({ description: `Group keys, comma-separated, in the order of the rows: ${USAGE_GROUP_KEYS.join(' | ')} (days are UTC). None: totals only`, example: 'day,model' })
  @IsOptional()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  groupBy?: string | string[];
}

export class AdminUsageReportQueryDto extends UsageReportQueryDto {
  @ApiPropertyOptional({ description: `As the workspace report, plus workspace: ${ADMIN_USAGE_GROUP_KEYS.join(' | ')}`, example: 'workspace,model' })
  declare groupBy?: string | string[];

  @ApiPropertyOptional({ description: 'One workspace only' })
  @IsOptional()
  @IsUUID()
  workspaceId?: string;
}

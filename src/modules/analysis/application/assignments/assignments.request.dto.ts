import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { ListConfigurationQueryDto } from '@modules/analysis/application/shared/list-configuration.request.dto';

export class CreateAssignmentRequestDto {
  @ApiProperty({ format: 'uuid', description: 'An agent config of the workspace' }) @IsUUID() agentId!: string;
  @ApiProperty({ format: 'uuid', description: 'A task config of the workspace; an agent is assigned to a task once (409)' }) @IsUUID() taskId!: string;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() isActive?: boolean;
}

export class UpdateAssignmentRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isActive?: boolean;
}

export class ListAssignmentsQueryDto extends ListConfigurationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() agentId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() taskId?: string;
}

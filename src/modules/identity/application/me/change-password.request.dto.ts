import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ChangePasswordRequestDto {
  @ApiProperty() @IsString() @Length(1, 256) currentPassword!: string;
  @ApiProperty() @IsString() @Length(1, 256) newPassword!: string;
}

export class SelectWorkspaceRequestDto {
  @ApiProperty({ nullable: true, format: 'uuid' })
  @IsString()
  @Length(36, 36)
  workspaceId!: string;
}

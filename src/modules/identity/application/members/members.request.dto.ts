import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { WORKSPACE_ROLES, WorkspaceRole } from '@libs/common/auth/workspace-role';

export class AddMemberRequestDto {
  @ApiProperty() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsEmail({}, { message: 'email must be a valid email address' }) @MaxLength(254) email!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) @IsIn(WORKSPACE_ROLES as unknown as string[]) role!: WorkspaceRole;
}

export class ChangeRoleRequestDto {
  @ApiProperty({ enum: WORKSPACE_ROLES }) @IsIn(WORKSPACE_ROLES as unknown as string[]) role!: WorkspaceRole;
}

export class AcceptInvitationRequestDto {
  @ApiProperty({ description: 'The token from the invitation email' }) @IsString() @Length(43, 43) token!: string;
}

import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';

export class RequestPasswordResetDto {
  @ApiProperty() @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)) @IsEmail({}, { message: 'email must be a valid email address' }) @MaxLength(254) email!: string;
}

export class ConfirmPasswordResetDto {
  @ApiProperty({ description: 'The token from the reset mail' }) @IsString() @Length(40, 200) token!: string;
  @ApiProperty() @IsString() @Length(1, 256) newPassword!: string;
}

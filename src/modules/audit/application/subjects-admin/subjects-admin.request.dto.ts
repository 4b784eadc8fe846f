import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SubjectParamsDto {
  @ApiProperty({ description: 'The data subject id personal fields are declared with (e.g. a user id)', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  subjectId!: string;
}

export class SubjectErasureResponseDto {
  @ApiProperty()
  subjectId!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the key was destroyed (the first erasure, when repeated)' })
  erasedAt!: Date;

  @ApiProperty({ description: 'True when the subject had already been erased (nothing changed)' })
  alreadyErased!: boolean;
}

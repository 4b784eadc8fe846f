import { ApiProperty } from '@nestjs/swagger';

export class SubjectErasureResponseDto {
  @ApiProperty()
  subjectId!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the key was destroyed (the first erasure, when repeated)' })
  erasedAt!: Date;

  @ApiProperty({ description: 'True when the subject had already been erased (nothing changed)' })
  alreadyErased!: boolean;
}

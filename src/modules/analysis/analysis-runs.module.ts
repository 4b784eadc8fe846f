import { Module } from '@nestjs/common';

// Filled in by the part that owns it (see analysis.module.ts).
@Module({})
export class AnalysisRunsModule {}

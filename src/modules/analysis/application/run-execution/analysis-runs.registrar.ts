import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { SagaCommandRoutes } from '@libs/eventsourcing/sagas/saga-command-routes';
import { SagaRegistry } from '@libs/eventsourcing/sagas/saga.registry';
import { WinkSentenceTagger } from '@modules/analysis/infrastructure/wink-sentence-tagger';
import { ANALYSIS_RUN_COMMANDS, analysisRunSaga } from './analysis-run.saga';
import { RunSteps } from './run-steps';

/** The run saga and the commands it sends (the read models: AnalysisRunsProjectionsRegistrar). */
@Injectable()
export class AnalysisRunsRegistrar implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly sagas: SagaRegistry,
    private readonly routes: SagaCommandRoutes,
    private readonly steps: RunSteps,
    private readonly tagger: WinkSentenceTagger,
  ) {}

  /** The tagger's model loads once (~0.2 s), soon after start-up rather than in the first run's first batch. */
  onApplicationBootstrap(): void {
    setTimeout(() => this.tagger.sentences('Warm up.'), 0).unref();
  }

  onModuleInit(): void {
    this.routes.register(ANALYSIS_RUN_COMMANDS.plan, (data, meta) => this.steps.plan(String(data.runId), meta));
    this.routes.register(ANALYSIS_RUN_COMMANDS.processBatch, (data, meta) => this.steps.processBatch(String(data.runId), Number(data.batchIndex), meta));
    this.routes.register(ANALYSIS_RUN_COMMANDS.complete, (data, meta) => this.steps.complete(String(data.runId), meta));
    this.sagas.register(analysisRunSaga);
  }
}

import { Injectable } from '@nestjs/common';
import { ScheduledJobs } from '@libs/jobs/scheduled-jobs';
import { TopicClassifier } from './topic-classifier';

export const TOPIC_CLASSIFICATION_JOB = 'knowledge.topic-classification';

/**
 * Every minute (in processes with RUN_JOBS): messages whose chunks became ready since the last
 * pass, and topics whose embedding changed, are classified; recorded in worker_runs with the
 * messages seen as `processed`. Also callable at once through TopicClassifier.runPass.
 */
@Injectable()
export class TopicClassificationSchedule {
  constructor(scheduled: ScheduledJobs, classifier: TopicClassifier) {
    scheduled.register({
      name: TOPIC_CLASSIFICATION_JOB,
      cron: '* * * * *',
      description: 'Classifies newly embedded messages into topics, and the messages of topics whose description changed',
      expireInSeconds: 10 * 60,
      run: async () => {
        const counts = await classifier.runPass();
        return { processed: counts.messages, meta: { ...counts } };
      },
    });
  }
}

import { Query } from '@nestjs/cqrs';
import { AuditEventView } from '@modules/audit/infrastructure/audit-events.queries';
import { CausationGroup } from './causation-tree';

export interface CorrelationResult {
  correlationId: string;
  events: AuditEventView[];
  tree: CausationGroup<AuditEventView>[];
  truncated: boolean;
}

/** Everything one request caused, in log order and as a causation tree. */
export class GetCorrelationQuery extends Query<CorrelationResult> {
  constructor(readonly correlationId: string) {
    super();
  }
}

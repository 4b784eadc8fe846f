import { Injectable } from '@nestjs/common';
import { RowProjection } from './row-projection';

/** Every projection of every module; modules register theirs in onModuleInit. */
@Injectable()
export class ProjectionRegistry {
  private readonly projections = new Map<string, RowProjection<any>>();

  register(...projections: RowProjection<any>[]): void {
    for (const p of projections) {
      if (this.projections.has(p.name) && this.projections.get(p.name) !== p) {
        throw new Error(`Projection ${p.name} registered twice`);
      }
      this.projections.set(p.name, p);
    }
  }

  get(name: string): RowProjection<any> | undefined {
    return this.projections.get(name);
  }

  all(): RowProjection<any>[] {
    return [...this.projections.values()];
  }

  async(): RowProjection<any>[] {
    return this.all().filter((p) => p.mode === 'async');
  }

  inlineFor(eventType: string): RowProjection<any>[] {
    return this.all().filter((p) => p.mode === 'inline' && p.handlerFor(eventType));
  }
}

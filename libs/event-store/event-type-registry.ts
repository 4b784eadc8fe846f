/**
 * Event types with schema versions. An upcaster turns the payload of version N into N+1; on
 * load every event is raised to its type's current version, so handlers only know one shape
 * and old events stay as they were written (the log is immutable).
 */
export type Upcaster = (data: any, event: { type: string; schemaVersion: number }) => unknown;

export interface EventTypeDefinition {
  type: string;
  /** The version new events are written with. */
  currentVersion: number;
  /** upcasters[n] turns version n into n + 1. */
  upcasters?: Record<number, Upcaster>;
}

export class UnknownEventVersionError extends Error {}

export class EventTypeRegistry {
  private readonly types = new Map<string, EventTypeDefinition>();

  register(...definitions: EventTypeDefinition[]): this {
    for (const def of definitions) {
      for (let v = 1; v < def.currentVersion; v++) {
        if (!def.upcasters?.[v]) {
          throw new Error(`Event type ${def.type}: no upcaster from version ${v} to ${v + 1}`);
        }
      }
      const existing = this.types.get(def.type);
      if (existing && existing !== def && existing.currentVersion !== def.currentVersion) {
        throw new Error(`Event type ${def.type} registered twice with different versions`);
      }
      this.types.set(def.type, def);
    }
    return this;
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  currentVersion(type: string): number {
    return this.types.get(type)?.currentVersion ?? 1;
  }

  /** Raises a payload to the current version of its type. Unknown types pass through unchanged. */
  upcast(type: string, schemaVersion: number, data: unknown): { schemaVersion: number; data: unknown } {
    const def = this.types.get(type);
    if (!def || schemaVersion >= def.currentVersion) {
      if (def && schemaVersion > def.currentVersion) {
        throw new UnknownEventVersionError(
          `Event ${type} v${schemaVersion} is newer than this code (v${def.currentVersion}); deploy the newer version`,
        );
      }
      return { schemaVersion, data };
    }
    let current = data;
    for (let v = schemaVersion; v < def.currentVersion; v++) {
      current = def.upcasters![v](current, { type, schemaVersion: v });
    }
    return { schemaVersion: def.currentVersion, data: current };
  }

  list(): EventTypeDefinition[] {
    return [...this.types.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}

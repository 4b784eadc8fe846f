import { AuditVisibilityDeclaration } from './audit-visibility';
import { PersonalDataDeclaration } from './personal-data';

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
  private readonly personal = new Map<string, PersonalDataDeclaration>();
  private readonly visibility = new Map<string, AuditVisibilityDeclaration>();

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

  /**
   * Declares the personal values of an event type (crypto-shredding, personal-data.ts): on
   * append each present field is encrypted with the key of the data subject found at `subject`;
   * once the subject is erased they read as ERASED ('[erased]').
   *
   *     registry.personalData('identity.user-registered', { subject: 'userId', fields: ['email', 'firstName'] });
   *
   * The subject id stays in clear (it finds the key): make it a pseudonymous id (a user or
   * contact id), never the email itself. Declare before the first append of the type.
   */
  personalData(type: string, declaration: PersonalDataDeclaration): this {
    const { subject, fields } = declaration;
    const path = /^[^.\s]+(\.[^.\s]+)*$/;
    if (!path.test(subject)) throw new Error(`Personal data of ${type}: subject "${subject}" is not a path`);
    if (fields.length === 0) throw new Error(`Personal data of ${type}: no fields`);
    for (const f of fields) {
      if (!path.test(f)) throw new Error(`Personal data of ${type}: field "${f}" is not a path`);
      // The subject id stays in clear: it is what finds the key.
      if (subject === f || subject.startsWith(`${f}.`)) {
        throw new Error(`Personal data of ${type}: field "${f}" would encrypt the subject id "${subject}"`);
      }
    }
    const existing = this.personal.get(type);
    const next = { subject, fields: [...new Set(fields)] };
    if (existing && JSON.stringify(existing) !== JSON.stringify(next)) {
      throw new Error(`Personal data of ${type} declared twice differently`);
    }
    this.personal.set(type, next);
    return this;
  }

  personalDataOf(type: string): PersonalDataDeclaration | undefined {
    return this.personal.get(type);
  }

  /** False until some type declares personal data: the append path then skips every check. */
  get declaresPersonalData(): boolean {
    return this.personal.size > 0;
  }

  listPersonalData(): ({ type: string } & PersonalDataDeclaration)[] {
    return [...this.personal.entries()].map(([type, d]) => ({ type, ...d })).sort((a, b) => a.type.localeCompare(b.type));
  }

  /**
   * Declares who may see events of a type when the log is read (audit-visibility.ts): `privateTo`
   * names the payload path of the one user it belongs to, `secretFields` the credential material
   * nobody is shown. Both may be declared in separate calls; a path declared twice is kept once.
   */
  auditVisibility(type: string, declaration: AuditVisibilityDeclaration): this {
    const path = /^[^.\s]+(\.[^.\s]+)*$/;
    const { privateTo, secretFields = [] } = declaration;
    if (privateTo !== undefined && !path.test(privateTo)) throw new Error(`Audit visibility of ${type}: privateTo "${privateTo}" is not a path`);
    for (const f of secretFields) if (!path.test(f)) throw new Error(`Audit visibility of ${type}: secret field "${f}" is not a path`);
    const existing = this.visibility.get(type) ?? {};
    if (existing.privateTo !== undefined && privateTo !== undefined && existing.privateTo !== privateTo) {
      throw new Error(`Audit visibility of ${type}: private to "${existing.privateTo}" and "${privateTo}"`);
    }
    const owner = privateTo ?? existing.privateTo;
    // The owner is read in clear by SQL; encrypted, it would hide the event from its owner too.
    const personal = this.personal.get(type);
    if (owner !== undefined && personal?.fields.some((f) => owner === f || owner.startsWith(`${f}.`))) {
      throw new Error(`Audit visibility of ${type}: the owner "${owner}" is a personal (encrypted) field`);
    }
    const secrets = [...new Set([...(existing.secretFields ?? []), ...secretFields])];
    this.visibility.set(type, { ...(owner !== undefined ? { privateTo: owner } : {}), ...(secrets.length ? { secretFields: secrets } : {}) });
    return this;
  }

  secretFieldsOf(type: string): readonly string[] {
    return this.visibility.get(type)?.secretFields ?? [];
  }

  /** The private event types grouped by the payload path of their owner (for one SQL predicate per path). */
  privateTypesByOwnerPath(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [type, d] of this.visibility) {
      if (d.privateTo === undefined) continue;
      out.set(d.privateTo, [...(out.get(d.privateTo) ?? []), type].sort());
    }
    return out;
  }

  listAuditVisibility(): ({ type: string } & AuditVisibilityDeclaration)[] {
    return [...this.visibility.entries()].map(([type, d]) => ({ type, ...d })).sort((a, b) => a.type.localeCompare(b.type));
  }

  list(): EventTypeDefinition[] {
    return [...this.types.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}

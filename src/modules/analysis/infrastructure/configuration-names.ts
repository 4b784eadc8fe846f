import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { uuidV5 } from '@libs/common/ids/uuid-v5';
import { CommandMetadata } from '@libs/eventsourcing/command-metadata';
import { nameKey } from '@modules/analysis/domain/configuration/configuration-settings';
import { AnalysisConfigurationError, AnalysisConfigurationErrorCode as Code } from '@modules/analysis/domain/configuration/configuration.errors';
import { ConfigurationAggregates, NamedConfigurationKind } from './configuration-aggregates';

const CONFIGURATION_ID_NAMESPACE = '6a0f3c1e-2b7d-4e59-9c84-3f1d2a5b7e60';

/**
 * The id of an item a create request makes. Under an Idempotency-Key it is derived from the key
 * AND the request: a retry names the same item (its create then does nothing and the first answer
 * is read back), another request under the same key names another item, refused as a reused key.
 */
export function newConfigurationId(kind: string, workspaceId: string, scopedKey: string | undefined, request: unknown): string {
  if (!scopedKey) return uuidv7();
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return uuidV5(`${kind}:${workspaceId}:${scopedKey}:${hash}`, CONFIGURATION_ID_NAMESPACE);
}

/** The ids of a workspace's built-in items: the same on every call, so creating them twice is harmless. */
export function builtinId(workspaceId: string, what: 'provider' | 'agent' | 'task' | 'assignment'): string {
  return uuidV5(`builtin:${what}:${workspaceId}`, CONFIGURATION_ID_NAMESPACE);
}

/**
 * Unique names per workspace and kind: a name is claimed before the item takes it, released when
 * the write fails (only a claim this call took) or when the item renames or goes away.
 */
@Injectable()
export class ConfigurationNames {
  constructor(private readonly aggregates: ConfigurationAggregates) {}

  async creating<T>(kind: NamedConfigurationKind, workspaceId: string, name: string, ownerId: string, meta: CommandMetadata, write: () => Promise<T>): Promise<T> {
    const value = { kind, workspaceId, nameKey: nameKey(name) };
    const claimed = await this.aggregates.names.claim(value, ownerId, meta);
    try {
      return await write();
    } catch (err) {
      if (claimed) await this.aggregates.names.release(value, ownerId, meta).catch(() => undefined);
      throw err;
    }
  }

  /** A rename claims the new name first and frees the old one once the item has the new one. */
  async renaming<T>(kind: NamedConfigurationKind, workspaceId: string, oldName: string, newName: string | undefined, ownerId: string, meta: CommandMetadata, write: () => Promise<T>): Promise<T> {
    const oldKey = nameKey(oldName);
    // The same name in another case is the same claim.
    if (newName === undefined || nameKey(newName) === oldKey) return write();
    const result = await this.creating(kind, workspaceId, newName, ownerId, meta, write);
    await this.aggregates.names.release({ kind, workspaceId, nameKey: oldKey }, ownerId, meta);
    return result;
  }

  release(kind: NamedConfigurationKind, workspaceId: string, name: string, ownerId: string, meta: CommandMetadata): Promise<boolean> {
    return this.aggregates.names.release({ kind, workspaceId, nameKey: nameKey(name) }, ownerId, meta);
  }
}

/** A follow-up command of the same request: its own command id, no key or If-Match of the first. */
export const followUp = (meta: CommandMetadata): CommandMetadata => ({ ...meta, commandId: uuidv7(), idempotencyKey: undefined, expectedVersion: undefined });

/** A stale If-Match is refused before anything is claimed (the append checks it again). */
export function checkIfMatch(row: { stream_version: number }, meta: CommandMetadata, what: string): void {
  if (typeof meta.expectedVersion === 'number' && meta.expectedVersion !== row.stream_version) {
    throw new AnalysisConfigurationError(Code.StaleVersion, `The ${what} changed since version ${meta.expectedVersion}: it is at version ${row.stream_version}; read it again`, {
      expectedVersion: meta.expectedVersion,
      currentVersion: row.stream_version,
    });
  }
}

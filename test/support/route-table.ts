import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { MIN_WORKSPACE_ROLE } from '@libs/common/auth/workspace-member.guard';
import { WorkspaceRole } from '@libs/common/auth/workspace-role';

export interface RouteInfo {
  method: string;
  path: string;
  minWorkspaceRole: WorkspaceRole | undefined;
}

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/** Every route the app's controllers declare, read from Nest's own metadata (not a hand-kept list). */
export function routeTable(app: INestApplication): RouteInfo[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const out: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!type) continue;
    const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    for (const name of scanner.getAllMethodNames(type.prototype)) {
      const handler = (type.prototype as Record<string, unknown>)[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      const role = (Reflect.getMetadata(MIN_WORKSPACE_ROLE, handler) ?? Reflect.getMetadata(MIN_WORKSPACE_ROLE, type)) as WorkspaceRole | undefined;
      for (const b of base) for (const p of ([] as string[]).concat(paths)) out.push({ method: RequestMethod[method], path: join(b, p), minWorkspaceRole: role });
    }
  }
  return out;
}

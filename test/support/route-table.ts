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

/** One controller method that Nest maps to a route. */
export interface RouteHandler {
  controller: new (...args: unknown[]) => unknown;
  methodName: string;
  handler: object;
  /** HTTP method name (GET, POST...). */
  method: string;
  /** Every full path the handler is mounted at (controller path x method path). */
  paths: string[];
}

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/** Every route handler the app's controllers declare, read from Nest's own metadata (not a hand-kept list). */
export function routeHandlers(app: INestApplication): RouteHandler[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const out: RouteHandler[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!controller) continue;
    const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const methodName of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[methodName] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      const full = base.flatMap((b) => ([] as string[]).concat(paths).map((p) => join(b, p)));
      out.push({ controller, methodName, handler, method: RequestMethod[method], paths: full });
    }
  }
  return out;
}

/** Every route the app's controllers declare, with the minimum workspace role it requires. */
export function routeTable(app: INestApplication): RouteInfo[] {
  return routeHandlers(app).flatMap(({ controller, handler, method, paths }) => {
    const role = (Reflect.getMetadata(MIN_WORKSPACE_ROLE, handler) ?? Reflect.getMetadata(MIN_WORKSPACE_ROLE, controller)) as WorkspaceRole | undefined;
    return paths.map((path) => ({ method, path, minWorkspaceRole: role }));
  });
}

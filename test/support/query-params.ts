import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';

export interface QueryParamInfo {
  name: string;
  /** class-validator constraint names on the property (isInt, isIsoDate, maxLength...). */
  constraints: string[];
}

export interface RouteQueryInfo {
  method: string;
  path: string;
  query: QueryParamInfo[];
}

const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/**
 * Every route with the query parameters it accepts, read from Nest's metadata: the DTO of each
 * `@Query()` argument (its class-validator properties) and each `@Query('name')`. Like
 * routeTable, nothing is listed by hand, so a new list route is checked without being named.
 */
export function routeQueryTable(app: INestApplication): RouteQueryInfo[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const storage = getMetadataStorage();
  const out: RouteQueryInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!type) continue;
    const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    for (const name of scanner.getAllMethodNames(type.prototype)) {
      const handler = (type.prototype as Record<string, unknown>)[name] as object;
      const paths = Reflect.getMetadata(PATH_METADATA, handler);
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (paths === undefined || method === undefined) continue;
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
      const paramTypes = (Reflect.getMetadata('design:paramtypes', type.prototype, name) ?? []) as unknown[];
      const query: QueryParamInfo[] = [];
      for (const [key, arg] of Object.entries(args)) {
        if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
        if (typeof arg.data === 'string') {
          query.push({ name: arg.data, constraints: [] });
          continue;
        }
        const dto = paramTypes[arg.index] as (new () => unknown) | undefined;
        if (!dto || dto === Object) continue;
        const byProperty = new Map<string, string[]>();
        for (const m of storage.getTargetValidationMetadatas(dto, '', true, false)) {
          const list = byProperty.get(m.propertyName) ?? [];
          const constraint = m.name ?? storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name ?? m.type;
          if (constraint) list.push(constraint);
          byProperty.set(m.propertyName, list);
        }
        for (const [prop, constraints] of byProperty) query.push({ name: prop, constraints });
      }
      for (const b of base) for (const p of ([] as string[]).concat(paths)) out.push({ method: RequestMethod[method], path: join(b, p), query });
    }
  }
  return out;
}

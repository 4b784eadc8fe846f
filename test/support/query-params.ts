import { INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage } from 'class-validator';
import { routeHandlers } from '@test/support/route-table';

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

/**
 * Every route with the query parameters it accepts, read from Nest's metadata: the DTO of each
 * `@Query()` argument (its class-validator properties) and each `@Query('name')`. Like
 * routeTable, nothing is listed by hand, so a new list route is checked without being named.
 */
export function routeQueryTable(app: INestApplication): RouteQueryInfo[] {
  const storage = getMetadataStorage();
  return routeHandlers(app).flatMap(({ controller, methodName, method, paths }) => {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, { index: number; data?: unknown }>;
    const paramTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, methodName) ?? []) as unknown[];
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
    return paths.map((path) => ({ method, path, query }));
  });
}

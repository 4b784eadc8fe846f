import { AsyncLocalStorage } from 'node:async_hooks';

/** Who and what a piece of work is for; becomes the metadata of every event it appends. */
export interface RequestContext {
  requestId: string;
  actorId?: string | null;
  workspaceId?: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  /** Lets later middleware (auth) add the actor without replacing the store. */
  patch(values: Partial<RequestContext>): void {
    const store = storage.getStore();
    if (store) Object.assign(store, values);
  },
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client-supplied X-Request-Id is kept when it is sane, so traces join across services. */
export function acceptRequestId(header: unknown): string | undefined {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : undefined;
}

import { ignored, isObject, MappedDelivery, messageOf } from './webhook-actions';

/**
 * The generic signed JSON webhook (kinds `api` and `email`): `{ messages: [...] }` in the import
 * item shape (docs/api.md), each validated on its own like an import row.
 */
export function mapSignedJson(payload: unknown): MappedDelivery {
  if (!isObject(payload) || !Array.isArray(payload.messages)) return { deliveryId: null, actions: [ignored('expected { messages: [...] } in the import item shape')] };
  return { deliveryId: null, actions: payload.messages.map((m: unknown, index: number) => (isObject(m) ? messageOf(m) : ignored(`messages[${index}] is not an object`))) };
}

/** The control routes of write faults (write-faults.ts): apart, because core.ts holds the faults. */
import type { SimResponse } from './core';
import { parseOr422 } from './errors';
import { userWriteFaultKey, type WriteFaults, writeFaultSchema } from './write-faults';

const WRITE_FAULT_ROUTE = /^(PUT|DELETE) \/__sim\/(devices|users)\/([^/]+)\/write-fault$/;

/** The control routes above; null for any other route. */
export function handleWriteFaultControl(
  faults: WriteFaults,
  route: string,
  body: () => unknown,
): SimResponse | null {
  const match = WRITE_FAULT_ROUTE.exec(route);
  if (!match) return null;
  const id = decodeURIComponent(match[3] ?? '');
  const ofUser = match[2] === 'users';
  const key = ofUser ? userWriteFaultKey(id) : id;
  if (match[1] === 'DELETE') {
    faults.clear(key);
    return { status: 204, empty: true };
  }
  const fault = parseOr422(writeFaultSchema, body(), ['body']);
  faults.set(key, fault);
  return { status: 200, json: { [ofUser ? 'user_id' : 'device_id']: id, ...fault } };
}

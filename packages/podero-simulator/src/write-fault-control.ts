/** The control routes of write faults (write-faults.ts): apart, because core.ts holds the faults. */
import type { SimResponse } from './core';
import { parseOr422 } from './errors';
import { type WriteFaults, writeFaultSchema } from './write-faults';

const WRITE_FAULT_ROUTE = /^(PUT|DELETE) \/__sim\/devices\/([^/]+)\/write-fault$/;

/** The control routes above; null for any other route. */
export function handleWriteFaultControl(
  faults: WriteFaults,
  route: string,
  body: () => unknown,
): SimResponse | null {
  const match = WRITE_FAULT_ROUTE.exec(route);
  if (!match) return null;
  const deviceId = decodeURIComponent(match[2] ?? '');
  if (match[1] === 'DELETE') {
    faults.clear(deviceId);
    return { status: 204, empty: true };
  }
  const fault = parseOr422(writeFaultSchema, body(), ['body']);
  faults.set(deviceId, fault);
  return { status: 200, json: { device_id: deviceId, ...fault } };
}

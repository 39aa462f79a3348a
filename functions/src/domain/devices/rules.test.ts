import {
  PoderoAuthError,
  PoderoNetworkError,
  PoderoNotFoundError,
  PoderoRateLimitError,
  PoderoResponseShapeError,
  PoderoServerError,
} from '@podero-bridge/podero-client';
import { describe, expect, it } from 'vitest';
import { isDeleted, isUpstreamOutage, ownedBy, visibleDevices } from './rules';

const me = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const init = { method: 'GET' as const, path: '/x' };

describe('heat-pump rules', () => {
  it('a heat pump is deleted when deleted_at is set, not when it is null or absent', () => {
    expect(isDeleted({ id: 'a', deleted_at: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(isDeleted({ id: 'a', deleted_at: null })).toBe(false);
    expect(isDeleted({ id: 'a' })).toBe(false);
  });

  it('is owned by the Podero user it names, or by the user it was read under when it names nobody', () => {
    expect(ownedBy({ id: 'a', owner: { id: me } }, me)).toBe(true);
    expect(ownedBy({ id: 'a', owner: { id: other } }, me)).toBe(false);
    expect(ownedBy({ id: 'a', owner: null }, me)).toBe(true);
    expect(ownedBy({ id: 'a' }, me)).toBe(true);
  });

  it('lists only the user’s own heat pumps that are not deleted', () => {
    const listed = [
      { id: 'mine', owner: { id: me }, deleted_at: null },
      { id: 'gone', owner: { id: me }, deleted_at: '2026-01-01T00:00:00Z' },
      { id: 'theirs', owner: { id: other }, deleted_at: null },
    ];
    expect(visibleDevices(listed, me).map((hp) => hp.id)).toEqual(['mine']);
  });

  it('counts 5xx, no answer, rate limits and unreadable answers as Podero being out, and nothing else', () => {
    expect(isUpstreamOutage(new PoderoServerError('x', { ...init, status: 503 }))).toBe(true);
    expect(isUpstreamOutage(new PoderoNetworkError('x', { ...init, timedOut: true }))).toBe(true);
    expect(isUpstreamOutage(new PoderoRateLimitError('x', { ...init, status: 429 }))).toBe(true);
    expect(isUpstreamOutage(new PoderoResponseShapeError('x', { ...init, status: 200, issues: [] }))).toBe(
      true,
    );
    expect(isUpstreamOutage(new PoderoNotFoundError('x', { ...init, status: 404 }))).toBe(false);
    expect(isUpstreamOutage(new PoderoAuthError('x', { ...init, status: 401 }))).toBe(false);
    expect(isUpstreamOutage(new Error('ours'))).toBe(false);
  });
});

import type { Schemas } from '../api/client';

type AuditEntry = Schemas['AuditEntry'];

/** What a write changed, in one line (the fields sent). */
export function changesText(changes: AuditEntry['changes']): string {
  if (changes === null) return '';
  return Object.entries(changes)
    .map(([field, value]) => `${field}: ${JSON.stringify(value)}`)
    .join(', ');
}

/** Who did it and how it ended: "agent-7 (support) · succeeded". */
export function AuditActor({ entry }: { entry: AuditEntry }) {
  return (
    <>
      <span class="actor">{entry.actor ?? 'unknown'}</span> <span class="muted">({entry.role})</span>
    </>
  );
}

import { useState } from 'preact/hooks';

/** An id with a button that copies it (for escalating to Podero), saying whether the copy worked. */
export function CopyableId({ id, label }: { id: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const copy = () =>
    navigator.clipboard.writeText(id).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <span class="copyable-id">
      <code>{id}</code>{' '}
      <button type="button" class="link" onClick={copy} aria-label={`Copy ${label}`}>
        Copy
      </button>{' '}
      <span role="status" class="muted">
        {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed: select the id instead' : ''}
      </span>
    </span>
  );
}

import type { ComponentChildren } from 'preact';

/**
 * A table that may be wider than the screen (a phone's 390 px): its box scrolls sideways instead of the page.
 * The box takes keyboard focus, so a keyboard user can scroll it too (WCAG 2.1.1; axe's
 * scrollable-region-focusable), and names the table it holds when focused. A group, not a region: several
 * devices' tables of one kind on a page would otherwise be landmarks of the same name.
 */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to scroll it.
    // biome-ignore lint/a11y/useSemanticElements: a fieldset groups form controls; this groups a table.
    <div class="table-wrap" role="group" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

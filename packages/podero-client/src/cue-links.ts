/**
 * A pending action's `resolution_link.url` carries the cue id and its signed secret (§3.12):
 * `.../api/partners/v2.0/cues/{cue_id}/resolve?secret=...` (or `/information/resolve` for `information`).
 * The client takes the link apart rather than following it, so the secret stays with whoever holds it
 * (the link's host is Podero's either way; only the id and the secret are used).
 */
export interface CueLink {
  cueId: string;
  secret: string;
}

const CUE_PATH = /\/cues\/([^/]+)\/(?:information\/)?resolve\/?$/;

/** The cue id and secret of a resolution link; null when the link does not have that shape. */
export function parseCueLink(url: string): CueLink | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const match = CUE_PATH.exec(parsed.pathname);
  const secret = parsed.searchParams.get('secret');
  if (!match?.[1] || secret === null || secret === '') return null;
  let cueId: string;
  try {
    cueId = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return { cueId, secret };
}

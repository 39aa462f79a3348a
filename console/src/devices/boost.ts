import { ApiError } from '../api/client';

/** The documented reasons of a refused boost (the API's `BoostRefused.reason`), in words. */
const REFUSAL_REASONS: Readonly<Record<string, string>> = {
  already_charging: 'a boost is already requested or under way',
  fully_charged: 'it is at its charge target',
  no_active_session: 'it is plugged in where Podero has no charging session (away from home)',
  internal_error: 'Podero could not reach the manufacturer',
  unknown: 'Podero gave a reason the bridge does not know yet',
};

/** What the page says of a boost the API refused (409 `boost_refused`); undefined for any other error. */
export function boostRefusalText(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.code !== 'boost_refused') return undefined;
  const reason = error.attributes.reason ?? 'unknown';
  const state = error.attributes.state;
  return `Boost refused (${reason}): ${REFUSAL_REASONS[reason] ?? REFUSAL_REASONS.unknown}${
    state ? `; boost state ${state}` : ''
  }.`;
}

/** What a granted boost did. */
export const BOOST_OUTCOMES = {
  started: 'Boosting now: charging at full rate, bypassing optimisation.',
  armed: 'Not plugged in: the boost is armed for the next plug-in.',
} as const;

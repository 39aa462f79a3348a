import { may } from '../../auth/role';
import { useConsole } from '../../context';
import { BOOST_OUTCOMES, boostRefusalText } from '../../devices/boost';
import { useAction } from './device-frame';

/**
 * Boost now and its undo (a vehicle's disarm, a wallbox's cancel), with what the boost did or, refused, why
 * in Podero's documented words. `after` runs when either succeeded (the card reloads its device).
 */
export function BoostControls({
  boost,
  undo,
  after,
}: {
  boost: () => Promise<{ outcome: keyof typeof BOOST_OUTCOMES }>;
  undo: { label: string; request: () => Promise<unknown>; done: string };
  after: () => void;
}) {
  const { busy, act, feedback } = useAction(boostRefusalText);
  // A device control: a support agent's or an administrator's, never a viewer's.
  const { role } = useConsole();
  const start = () =>
    act(async () => {
      const answer = await boost();
      after();
      return BOOST_OUTCOMES[answer.outcome];
    });
  const stop = () =>
    act(async () => {
      await undo.request();
      after();
      return undo.done;
    });
  if (!may(role, 'support')) return null;
  return (
    <>
      <div class="controls">
        <button type="button" onClick={start} disabled={busy}>
          Boost now
        </button>
        <button type="button" onClick={stop} disabled={busy}>
          {undo.label}
        </button>
      </div>
      {feedback}
    </>
  );
}

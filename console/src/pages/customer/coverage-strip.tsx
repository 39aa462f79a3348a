import { expectData, type Schemas } from '../../api/client';
import { useConsole } from '../../context';
import { COVERAGE_DAYS, coverageCell } from '../../devices/coverage';
import { useLoad } from '../../use-load';

/** One device's coverage route (each kind has its own path), over its default range (the last seven days). */
export type FetchCoverage = () => Promise<{
  data?: Schemas['ReadingCoverage'];
  error?: unknown;
  response: Response;
}>;

/**
 * A row of day cells on a device's card: the share of quarter-hours with a reading per UTC day of the last
 * week, the gaps and what the backfill filled on hover. Quiet while it loads: it is a detail of the card.
 */
export function CoverageStrip({
  deviceId,
  fetchCoverage,
}: {
  deviceId: string;
  fetchCoverage: FetchCoverage;
}) {
  const { api } = useConsole();
  const [coverage] = useLoad(
    // The route's clock decides what today is (the simulator's locally), not the browser's.
    () => expectData(fetchCoverage()),
    [api, deviceId],
  );
  if (coverage.state === 'loading') return null;
  if (coverage.state === 'failed')
    return <p class="muted coverage">History coverage not available: {coverage.error.message}</p>;
  const cells = coverage.value.days.slice(-COVERAGE_DAYS).map(coverageCell);
  const labelId = `coverage-${deviceId}`;
  return (
    <div class="coverage" data-coverage={deviceId}>
      <span id={labelId} class="muted">
        History coverage (UTC days)
      </span>
      <ol class="coverage-days" aria-labelledby={labelId}>
        {cells.map((cell) => (
          <li
            key={cell.day}
            class={`coverage-day coverage-${cell.level}`}
            title={cell.title}
            data-day={cell.day}
          >
            <span class="coverage-date">{cell.day.slice(5)}</span>
            <span class="coverage-percent">{cell.label}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

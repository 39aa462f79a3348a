import { useState } from 'preact/hooks';
import { expectData, type Schemas } from '../../api/client';
import { Await } from '../../components/status';
import { TimeSeriesChart } from '../../components/time-series-chart';
import { useConsole } from '../../context';
import {
  CHART_RANGES,
  type ChartRange,
  type ChartSpec,
  MAX_GAP_SECONDS,
  type PlotData,
  plotBuckets,
  plotReadings,
  readingsQuery,
  withGaps,
} from '../../readings';
import { useLoad } from '../../use-load';

type ReadingsQuery = ReturnType<typeof readingsQuery> & { cursor?: string };
/** What every kind's readings route answers (each kind's buckets are a schema of its own, alike). */
type ReadingsPage = { items: readonly Schemas['Reading'][]; next_cursor: string | null };
type ReadingBuckets = { items: readonly Schemas['ReadingBucket'][]; bucket: string };
type ReadingsAnswer = ReadingsPage | ReadingBuckets | string;

const isBuckets = (body: ReadingsPage | ReadingBuckets): body is ReadingBuckets => 'bucket' in body;

/** One device's readings route (each kind has its own path), asked with a query. */
export type FetchReadings = (
  query: ReadingsQuery,
) => Promise<{ data?: ReadingsAnswer; error?: unknown; response: Response }>;

async function loadPlots(
  fetchReadings: FetchReadings,
  charts: readonly ChartSpec[],
  range: ChartRange,
  now: Date,
) {
  const query = readingsQuery(range, now);
  // The chart spans the whole range asked for, whatever part of it has readings.
  const window = { from: Date.parse(query.from) / 1000, to: Date.parse(query.to) / 1000 };
  const gapped = (data: PlotData) => withGaps(data, MAX_GAP_SECONDS[range]);
  if (!('bucket' in query)) {
    const readings: Schemas['Reading'][] = [];
    let cursor: string | undefined;
    // 24 hours of readings every few minutes fit in a few pages; a bound keeps a runaway stream finite.
    for (let page = 0; page < 5; page++) {
      const body = await expectData(fetchReadings({ ...query, ...(cursor ? { cursor } : {}) }));
      if (typeof body === 'string' || isBuckets(body)) break;
      readings.push(...body.items);
      cursor = body.next_cursor ?? undefined;
      if (cursor === undefined) break;
    }
    return {
      range,
      window,
      charts: charts.map((spec) => ({ spec, data: gapped(plotReadings(readings, spec)) })),
    };
  }
  const body = await expectData(fetchReadings(query));
  const buckets = typeof body !== 'string' && isBuckets(body) ? body.items : [];
  return {
    range,
    window,
    charts: charts.map((spec) => ({ spec, data: gapped(plotBuckets(buckets, spec)) })),
  };
}

/** A device's charts over a range the operator picks (24 hours of readings, or 7 and 30 days of buckets). */
export function ReadingsPanel({
  externalUserId,
  deviceId,
  charts,
  fetchReadings,
}: {
  externalUserId: string;
  deviceId: string;
  charts: readonly ChartSpec[];
  fetchReadings: FetchReadings;
}) {
  const { now } = useConsole();
  const [range, setRange] = useState<ChartRange>('24h');
  // `fetchReadings` is a new function each render: the customer, the device and the range are what the plots
  // depend on.
  const [plots] = useLoad(
    () => loadPlots(fetchReadings, charts, range, now()),
    [externalUserId, deviceId, charts, range],
  );
  const groupName = `range-${deviceId}`;
  return (
    // Not a landmark: every device card has one, and the card (an article named by its device) says whose.
    <div class="readings">
      <fieldset class="ranges">
        <legend>Readings over</legend>
        {(Object.keys(CHART_RANGES) as ChartRange[]).map((r) => (
          <label key={r}>
            <input
              type="radio"
              name={groupName}
              value={r}
              checked={range === r}
              onChange={() => setRange(r)}
            />
            {CHART_RANGES[r].label}
          </label>
        ))}
      </fieldset>
      <Await loaded={plots}>
        {/* The range of the answer shown, not of the radio just clicked: the next answer may still be on its way. */}
        {(plotted) =>
          plotted.charts.map(({ spec, data }) => (
            <TimeSeriesChart
              key={`${spec.id}-${plotted.range}`}
              spec={spec}
              data={data}
              label={CHART_RANGES[plotted.range].label}
              window={plotted.window}
            />
          ))
        }
      </Await>
    </div>
  );
}

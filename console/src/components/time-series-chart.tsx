import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisLabels, formatDateTime, zoneLabel, zoneOf, zoneSetting } from '../dates';
import { type ChartSpec, type PlotData, pointsIn } from '../readings';

const HEIGHT = 220;

/**
 * One uPlot chart (canvas), sized to its container and redrawn on resize. `data-points` says how many values
 * it drew, and the figure's caption says it in words, since a canvas has no text of its own.
 */
export function TimeSeriesChart({
  spec,
  data,
  label,
  window: span,
}: {
  spec: ChartSpec;
  data: PlotData;
  label: string;
  /** The range the chart spans, in seconds, whatever part of it has data; default the data's own. */
  window?: { from: number; to: number };
}) {
  const container = useRef<HTMLDivElement>(null);
  const points = pointsIn(data);
  // The axis is drawn on the canvas: the caption says its zone in words too.
  const shownZone = zoneLabel(spec.timeZone ?? zoneOf(zoneSetting()));

  useEffect(() => {
    const element = container.current;
    if (element === null || points === 0) return;
    const right = spec.rightUnit;
    const onRight = (s: ChartSpec['series'][number]) => s.axis === 'right' && right !== undefined;
    const unitOf = (s: ChartSpec['series'][number]) => (onRight(s) && right ? right : spec.unit);
    // A market's chart keeps the market's zone; every other chart takes the console's setting.
    const timeZone = spec.timeZone ?? zoneOf(zoneSetting());
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 240),
        height: HEIGHT,
        // A single reading is a point, not a line: draw the markers whatever the density.
        series: [
          // The legend's time: the page's format, not uPlot's am/pm.
          {
            value: (_u: uPlot, v: number | null) =>
              v === null ? '—' : formatDateTime(new Date(v * 1000).toISOString(), timeZone),
          },
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: 2,
            // A missing stretch is a gap (readings.ts withGaps puts the nulls there), not a line across it.
            spanGaps: false,
            scale: onRight(s) ? 'y2' : 'y',
            points: { show: true, size: 5, fill: s.colour },
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ${unitOf(s)}`),
          })),
        ],
        axes: [
          // The page's format and zone (dates.ts), and the zone written on the axis.
          {
            label: `Time (${zoneLabel(timeZone)})`,
            values: (_u: uPlot, splits: number[]) => axisLabels(splits, timeZone),
          },
          { scale: 'y', label: spec.unit, size: 56 },
          ...(right ? [{ scale: 'y2', label: right, size: 56, side: 1, grid: { show: false } }] : []),
        ],
        scales: {
          x: { time: true, ...(span ? { range: (): uPlot.Range.MinMax => [span.from, span.to] } : {}) },
        },
        legend: { show: true },
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), timeZone),
      },
      data as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 240), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [spec, data, points, span?.from, span?.to]);

  return (
    <figure class="chart" data-chart={spec.id} data-points={points} data-time-zone={shownZone}>
      <figcaption>
        {spec.title} ({spec.rightUnit ? `${spec.unit}, ${spec.rightUnit}` : spec.unit}), times in {shownZone},{' '}
        {label}: {points === 0 ? 'no readings in this range' : `${points} values`}
      </figcaption>
      {points > 0 && (
        <div ref={container} class="chart-canvas" role="img" aria-label={`${spec.title} over ${label}`} />
      )}
    </figure>
  );
}

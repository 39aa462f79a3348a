import { type Api, ApiError, expectData, type Schemas } from '../api/client';
import { Await, formatTime } from '../components/status';
import { useConsole } from '../context';
import { DEVICE_KIND_LABELS, type DeviceKindName } from '../devices/kinds';
import { href } from '../router';
import {
  formatCoverage,
  formatKwh,
  formatMoney,
  formatRemoval,
  NOTE_LABELS,
  type StatementEnergy,
  type StatementMoney,
  type StatementRemoval,
  UNAVAILABLE_LABELS,
} from '../statements/figures';
import { useLoad } from '../use-load';

type Statement = Schemas['Statement'];
type StatementRow = Statement['total'] & {
  type?: string;
  device_id?: string;
  notes?: string[];
  removed?: StatementRemoval | null;
};

/** The months the list route offers (newest first), and the statement of the one asked for (else the newest). */
async function loadStatement(api: Api, externalUserId: string, month: string | undefined) {
  const path = { external_user_id: externalUserId };
  const months = await expectData(api.GET('/users/{external_user_id}/statements', { params: { path } }));
  const chosen = month ?? months.items[0]?.month;
  if (chosen === undefined) return { months: months.items, statement: null };
  const answer = await expectData(
    api.GET('/users/{external_user_id}/statements/{month}', {
      params: { path: { ...path, month: chosen }, query: { format: 'json' } },
    }),
  );
  // The route also answers CSV (a string); asked for JSON, it never does.
  if (typeof answer === 'string') throw new ApiError(200, 'unexpected_csv', 'the statement came as CSV');
  return { months: months.items, statement: answer };
}

/**
 * A customer's monthly savings statement, laid out to print (`@media print` in styles.css hides the console
 * around it): per device and in total, consumption, baseline, cost, saving, and under each figure its coverage.
 */
export function StatementPage({ externalUserId, month }: { externalUserId: string; month?: string }) {
  const { api } = useConsole();
  const [loaded] = useLoad(() => loadStatement(api, externalUserId, month), [api, externalUserId, month]);
  return (
    <section class="statement" aria-labelledby="statement-title">
      <p class="no-print">
        <a href={href.customer(externalUserId)}>← Customer {externalUserId}</a>
      </p>
      <h1 id="statement-title">Monthly savings statement</h1>
      <Await loaded={loaded}>
        {({ months, statement }) =>
          statement === null ? (
            <p class="muted">No statement yet: the customer has no month on record.</p>
          ) : (
            <>
              <div class="statement-controls no-print">
                <label for="statement-month">Month</label>
                <select
                  id="statement-month"
                  value={statement.month}
                  onChange={(event) => {
                    location.hash = href.statement(externalUserId, event.currentTarget.value);
                  }}
                >
                  {months.map((m) => (
                    <option key={m.month} value={m.month}>
                      {m.month} ({m.status})
                    </option>
                  ))}
                </select>
                <button type="button" onClick={() => window.print()}>
                  Print
                </button>
              </div>
              <StatementBody statement={statement} />
            </>
          )
        }
      </Await>
    </section>
  );
}

function StatementBody({ statement }: { statement: Statement }) {
  return (
    <>
      <dl class="statement-head">
        <dt>Customer</dt>
        <dd>{statement.external_user_id}</dd>
        <dt>Month</dt>
        <dd data-statement-month={statement.month}>
          {statement.month} ({statement.time_zone}: {formatTime(statement.from)} – {formatTime(statement.to)})
        </dd>
        <dt>Status</dt>
        <dd data-statement-status={statement.status}>
          {statement.status === 'final'
            ? 'final'
            : 'provisional: the month closed less than a day ago or is running; figures may still grow'}
        </dd>
        <dt>Generated</dt>
        <dd>{formatTime(statement.generated_at)}</dd>
      </dl>
      {statement.devices.length === 0 ? (
        <p class="muted">No device on the statement.</p>
      ) : (
        <table class="statement-table">
          <caption>
            Per device and in total. Under each figure, the quarter-hours it rests on; "missing" means no
            data, not zero.
          </caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Consumption</th>
              <th scope="col">Baseline (unoptimised)</th>
              <th scope="col">Cost</th>
              <th scope="col">Baseline cost</th>
              <th scope="col">Saving (energy)</th>
              <th scope="col">Saving</th>
            </tr>
          </thead>
          <tbody>
            {statement.devices.map((device) => (
              <Row key={device.device_id} row={device} currency={device.currency} />
            ))}
          </tbody>
          <tfoot>
            <Row row={statement.total} currency={statement.total.currency} />
          </tfoot>
        </table>
      )}
    </>
  );
}

function Row({ row, currency }: { row: StatementRow; currency: string | null }) {
  const total = row.device_id === undefined;
  const label = total ? 'Total' : (DEVICE_KIND_LABELS[row.type as DeviceKindName]?.one ?? row.type ?? '');
  return (
    <tr data-row={total ? 'total' : row.device_id}>
      <th scope="row">
        {label}
        {!total && <span class="statement-id">{row.device_id}</span>}
        {row.removed && (
          <span class="statement-removed" data-removed={row.removed.readings}>
            {formatRemoval(row.removed, formatTime)}
          </span>
        )}
        {row.notes && row.notes.length > 0 && (
          <ul class="statement-notes">
            {row.notes.map((note) => (
              <li key={note}>{NOTE_LABELS[note as keyof typeof NOTE_LABELS] ?? note}</li>
            ))}
          </ul>
        )}
      </th>
      <EnergyCell name="consumption" figure={row.consumption} />
      <EnergyCell name="baseline" figure={row.baseline} />
      <MoneyCell name="cost" figure={row.cost} currency={currency} />
      <MoneyCell name="baseline_cost" figure={row.baseline_cost} currency={currency} />
      <EnergyCell name="saving_energy" figure={row.saving_energy} />
      <MoneyCell name="saving" figure={row.saving} currency={currency} />
    </tr>
  );
}

function EnergyCell({ name, figure }: { name: string; figure: StatementEnergy }) {
  return (
    <Cell name={name} value={formatKwh(figure)} unavailable={figure.unavailable} coverage={figure.coverage} />
  );
}

function MoneyCell({
  name,
  figure,
  currency,
}: {
  name: string;
  figure: StatementMoney;
  currency: string | null;
}) {
  return (
    <Cell
      name={name}
      value={formatMoney(figure, currency)}
      unavailable={figure.unavailable}
      coverage={figure.coverage}
    />
  );
}

function Cell({
  name,
  value,
  unavailable,
  coverage,
}: {
  name: string;
  value: string;
  /** Why the figure is missing (the API's reason); null when it has a value. */
  unavailable: StatementEnergy['unavailable'];
  coverage: StatementEnergy['coverage'];
}) {
  return (
    <td data-figure={name} class={unavailable ? 'statement-missing' : undefined}>
      <span class="statement-value">{value}</span>
      {unavailable && (
        <span class="statement-reason" data-unavailable={unavailable}>
          {UNAVAILABLE_LABELS[unavailable]}
        </span>
      )}
      <span class="statement-coverage">{formatCoverage(coverage)}</span>
    </td>
  );
}

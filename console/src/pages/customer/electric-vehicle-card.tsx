import { type Api, expectData } from '../../api/client';
import { Await, formatTime } from '../../components/status';
import { useConsole } from '../../context';
import { KIND_CHARTS } from '../../devices/charts';
import { figureRows, KIND_FIGURES } from '../../devices/figures';
import { useLoad } from '../../use-load';
import { BoostControls } from './boost-controls';
import { DeviceFrame, FigureList, type SummaryDevice } from './device-frame';
import { ReadingsPanel } from './readings-panel';

const SESSION_DAYS = 30;
const SESSIONS_SHOWN = 20;

const day = (date: Date) => date.toISOString().slice(0, 10);

/** An electric vehicle: its figures, boost now and disarm, its charts and its recent charging sessions. */
export function ElectricVehicleCard({
  externalUserId,
  device,
}: {
  externalUserId: string;
  device: SummaryDevice;
}) {
  const { api } = useConsole();
  const path = { external_user_id: externalUserId, electric_vehicle_id: device.id };
  const [detail, reloadDetail] = useLoad(
    () =>
      expectData(
        api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}', { params: { path } }),
      ),
    [api, externalUserId, device.id],
  );
  return (
    <DeviceFrame
      externalUserId={externalUserId}
      device={device}
      fetchCoverage={() =>
        api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/readings/coverage', {
          params: { path },
        })
      }
    >
      <BoostControls
        boost={() =>
          expectData(
            api.POST('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/boost', {
              // A double click or a retried request boosts once.
              params: { path, header: { 'idempotency-key': crypto.randomUUID() } },
            }),
          )
        }
        undo={{
          label: 'Disarm boost',
          request: () =>
            expectData(
              api.DELETE('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/boost', {
                params: { path },
              }),
            ),
          done: 'No boost is armed for the next plug-in.',
        }}
        after={reloadDetail}
      />
      <Await loaded={detail}>
        {(read) => <FigureList rows={figureRows(KIND_FIGURES.electric_vehicle, read.electric_vehicle)} />}
      </Await>
      <ReadingsPanel
        externalUserId={externalUserId}
        deviceId={device.id}
        charts={KIND_CHARTS.electric_vehicle}
        fetchReadings={(query) =>
          api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/readings', {
            params: { path, query },
          })
        }
      />
      <ChargingSessions api={api} externalUserId={externalUserId} vehicleId={device.id} />
    </DeviceFrame>
  );
}

function ChargingSessions({
  api,
  externalUserId,
  vehicleId,
}: {
  api: Api;
  externalUserId: string;
  vehicleId: string;
}) {
  const { now } = useConsole();
  const [sessions] = useLoad(() => {
    const to = now();
    const from = new Date(to.getTime() - (SESSION_DAYS - 1) * 86_400_000);
    return expectData(
      api.GET('/users/{external_user_id}/electric-vehicles/{electric_vehicle_id}/sessions', {
        params: {
          path: { external_user_id: externalUserId, electric_vehicle_id: vehicleId },
          query: { from: day(from), to: day(to), limit: SESSIONS_SHOWN },
        },
      }),
    );
  }, [api, externalUserId, vehicleId]);
  const amount = (value: number | null, unit: string, digits = 1) =>
    value === null ? '—' : `${value.toFixed(digits)} ${unit}`;
  return (
    <Await loaded={sessions}>
      {(page) => (
        <div class="table-wrap">
          <table class="sessions">
            <caption>
              Charging sessions, last {SESSION_DAYS} days
              {page.total > page.items.length ? ` (${page.items.length} of ${page.total})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Plugged in</th>
                <th scope="col">Unplugged</th>
                <th scope="col">Charged</th>
                <th scope="col">State of charge</th>
                <th scope="col">Cost</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {page.items.length === 0 && (
                <tr>
                  <td colSpan={6}>No charging session in this range.</td>
                </tr>
              )}
              {page.items.map((s) => (
                <tr key={s.id}>
                  <td>{formatTime(s.plug_in_time)}</td>
                  <td>{formatTime(s.unplug_time)}</td>
                  <td>{amount(s.energy_charged_kwh, 'kWh')}</td>
                  <td>
                    {s.initial_soc_pct === null && s.final_soc_pct === null
                      ? '—'
                      : `${s.initial_soc_pct ?? '—'} → ${s.final_soc_pct ?? '—'} %`}
                  </td>
                  <td>{amount(s.actual_cost_eur, '€', 2)}</td>
                  <td>{s.session_outcome ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Await>
  );
}

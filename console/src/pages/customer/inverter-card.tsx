import { expectData } from '../../api/client';
import { Await } from '../../components/status';
import { useConsole } from '../../context';
import { KIND_CHARTS } from '../../devices/charts';
import { figureRows, KIND_FIGURES } from '../../devices/figures';
import { useLoad } from '../../use-load';
import { DeviceFrame, FigureList, type SummaryDevice } from './device-frame';
import { ReadingsPanel } from './readings-panel';

/** A solar inverter with its battery: production, consumption, the grid and the battery, figures and charts. */
export function InverterCard({ externalUserId, device }: { externalUserId: string; device: SummaryDevice }) {
  const { api } = useConsole();
  const path = { external_user_id: externalUserId, inverter_id: device.id };
  const [detail] = useLoad(
    () => expectData(api.GET('/users/{external_user_id}/inverters/{inverter_id}', { params: { path } })),
    [api, externalUserId, device.id],
  );
  return (
    <DeviceFrame
      externalUserId={externalUserId}
      device={device}
      fetchCoverage={() =>
        api.GET('/users/{external_user_id}/inverters/{inverter_id}/readings/coverage', {
          params: { path },
        })
      }
    >
      <Await loaded={detail}>
        {(read) => <FigureList rows={figureRows(KIND_FIGURES.inverter, read.inverter)} />}
      </Await>
      <ReadingsPanel
        externalUserId={externalUserId}
        deviceId={device.id}
        charts={KIND_CHARTS.inverter}
        fetchReadings={(query) =>
          api.GET('/users/{external_user_id}/inverters/{inverter_id}/readings', { params: { path, query } })
        }
      />
    </DeviceFrame>
  );
}

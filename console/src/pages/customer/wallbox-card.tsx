import { expectData } from '../../api/client';
import { Await } from '../../components/status';
import { useConsole } from '../../context';
import { KIND_CHARTS } from '../../devices/charts';
import { figureRows, KIND_FIGURES } from '../../devices/figures';
import { useLoad } from '../../use-load';
import { BoostControls } from './boost-controls';
import { DeviceFrame, FigureList, type SummaryDevice } from './device-frame';
import { ReadingsPanel } from './readings-panel';

/** A wallbox: its power and mode, boost and cancel, and its charts. */
export function WallboxCard({ externalUserId, device }: { externalUserId: string; device: SummaryDevice }) {
  const { api } = useConsole();
  const path = { external_user_id: externalUserId, wallbox_id: device.id };
  const [detail, reloadDetail] = useLoad(
    () => expectData(api.GET('/users/{external_user_id}/wallboxes/{wallbox_id}', { params: { path } })),
    [api, externalUserId, device.id],
  );
  return (
    <DeviceFrame
      externalUserId={externalUserId}
      device={device}
      fetchCoverage={() =>
        api.GET('/users/{external_user_id}/wallboxes/{wallbox_id}/readings/coverage', {
          params: { path },
        })
      }
    >
      <BoostControls
        boost={() =>
          expectData(
            api.POST('/users/{external_user_id}/wallboxes/{wallbox_id}/boost', {
              params: { path, header: { 'idempotency-key': crypto.randomUUID() } },
            }),
          )
        }
        undo={{
          label: 'Cancel boost',
          request: () =>
            expectData(
              api.DELETE('/users/{external_user_id}/wallboxes/{wallbox_id}/boost', { params: { path } }),
            ),
          done: 'No boost runs or is armed.',
        }}
        after={reloadDetail}
      />
      <Await loaded={detail}>
        {(read) => <FigureList rows={figureRows(KIND_FIGURES.wallbox, read.wallbox)} />}
      </Await>
      <ReadingsPanel
        externalUserId={externalUserId}
        deviceId={device.id}
        charts={KIND_CHARTS.wallbox}
        fetchReadings={(query) =>
          api.GET('/users/{external_user_id}/wallboxes/{wallbox_id}/readings', { params: { path, query } })
        }
      />
    </DeviceFrame>
  );
}

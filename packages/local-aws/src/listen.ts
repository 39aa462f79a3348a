import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  /** The bound port (the real one when 0 asked for a free port). */
  readonly port: number;
  /** Stops accepting, drops kept-alive connections and resolves once the server is closed. */
  close(): Promise<void>;
}

/**
 * Binds a local server and reports its port. A failure to bind (port in use) rejects instead of
 * surfacing later as an unhandled 'error' event; close() drops idle keep-alive sockets so a test or
 * Ctrl-C does not wait for their timeout.
 */
export async function listenLocally(server: Server, port: number, host: string): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

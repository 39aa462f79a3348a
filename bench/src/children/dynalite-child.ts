/**
 * dynalite in its own process, so that the database and the code under test do not share one event loop
 * (in AWS, DynamoDB is another machine). Reports its endpoint over IPC and lives until the parent
 * disconnects.
 */
import { startDynalite } from '@podero-bridge/local-aws';

const dynalite = await startDynalite({ port: 0, host: '127.0.0.1' });
process.send?.({ endpoint: dynalite.endpoint });
process.on('disconnect', () => {
  void dynalite.close().finally(() => process.exit(0));
});

#!/usr/bin/env node
/**
 * Start the share-link service: read the configuration, then listen.
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './log';

function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const app = createApp({ config, logger });
  const server = app.listen(config.listenPort, config.listenHost, () => {
    logger.info('listening', {
      host: config.listenHost,
      port: config.listenPort,
      prefix: config.servicePrefix
    });
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();

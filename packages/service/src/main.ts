#!/usr/bin/env node
/**
 * Start the share-link service: read the configuration and the keys, then
 * listen.
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createContext } from './context';
import { loadKeyRing } from './keys';
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

  let keys;
  try {
    keys = loadKeyRing(config.keysFile);
  } catch (err) {
    logger.error('cannot start', {
      error: err instanceof Error ? err.message : String(err)
    });
    process.exit(2);
  }

  const context = createContext(config, logger, keys);
  const app = createApp(context);
  const server = app.listen(config.listenPort, config.listenHost, () => {
    logger.info('listening', {
      host: config.listenHost,
      port: config.listenPort,
      prefix: config.servicePrefix
    });
    // Logs an error naming any scope the service's role lacks; the service
    // keeps serving and refuses the affected requests with a 403.
    void context.serviceScopes.checkAtStart();
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();

/**
 * What every part of the service is built from: configuration, logger,
 * keys and the clients of the Hub and of users' servers.
 */
import { IConfig } from './config';
import { ContentsClient } from './contents';
import { HubClient } from './hub';
import { KeyRing } from './keys';
import { audienceFor } from './links';
import { ILogger } from './log';
import { Metrics } from './metrics';

/** The service's shared parts. */
export interface IServiceContext {
  config: IConfig;
  logger: ILogger;
  keys: KeyRing;
  hub: HubClient;
  contents: ContentsClient;
  /** The audience links of this Hub carry. */
  audience: string;
  metrics: Metrics;
}

/** Build the context from a checked configuration and loaded keys. */
export function createContext(
  config: IConfig,
  logger: ILogger,
  keys: KeyRing
): IServiceContext {
  return {
    config,
    logger,
    keys,
    hub: new HubClient({
      apiUrl: config.hubApiUrl,
      token: config.apiToken,
      logger
    }),
    contents: new ContentsClient({
      hubUrl: config.hubUrl,
      hubBaseUrl: config.hubBaseUrl,
      token: config.apiToken,
      logger
    }),
    audience: audienceFor(config.publicUrl, config.servicePrefix),
    metrics: new Metrics()
  };
}

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
import { TokenBucketLimiter } from './security';
import { ServiceScopes } from './serviceScopes';

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
  /** What the service's own Hub role allows, checked at start. */
  serviceScopes: ServiceScopes;
  /** Per-user limits: minting links, opening links. */
  rateLimits: { mint: TokenBucketLimiter; open: TokenBucketLimiter };
}

/** Build the context from a checked configuration and loaded keys. */
export function createContext(
  config: IConfig,
  logger: ILogger,
  keys: KeyRing
): IServiceContext {
  const hub = new HubClient({
    apiUrl: config.hubApiUrl,
    token: config.apiToken,
    logger
  });
  return {
    config,
    logger,
    keys,
    hub,
    contents: new ContentsClient({
      hubUrl: config.hubUrl,
      hubBaseUrl: config.hubBaseUrl,
      token: config.apiToken,
      logger
    }),
    audience: audienceFor(config.publicUrl, config.servicePrefix),
    metrics: new Metrics(),
    serviceScopes: new ServiceScopes(hub, logger),
    rateLimits: {
      mint: new TokenBucketLimiter(config.mintRateLimit),
      open: new TokenBucketLimiter(config.openRateLimit)
    }
  };
}

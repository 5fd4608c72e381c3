/**
 * The Express application of the share-link service. It never listens:
 * `main.ts` does, and tests drive the app directly.
 */
import express from 'express';

import { IConfig } from './config';
import { HttpError } from './errors';
import { ILogger } from './log';

/** What the application is built from. */
export interface IAppOptions {
  config: IConfig;
  logger: ILogger;
}

/** Create the service's Express application. */
export function createApp(options: IAppOptions): express.Express {
  const { config, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  const router = express.Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.use(config.servicePrefix, router);

  app.use((_req, _res, next) => {
    next(new HttpError(404, 'not_found', 'There is nothing at this address.'));
  });

  app.use(
    (
      err: unknown,
      req: express.Request,
      res: express.Response,
      // Express recognises error handlers by their four parameters.
      _next: express.NextFunction
    ) => {
      const error =
        err instanceof HttpError
          ? err
          : new HttpError(
              500,
              'internal',
              'The share-link service failed unexpectedly. Try again; if it' +
                ' keeps failing, tell your Hub admin.'
            );
      if (error.status >= 500) {
        logger.error('request failed', {
          method: req.method,
          path: req.path,
          error: err instanceof Error ? err.message : String(err)
        });
      }
      res.status(error.status).json({
        error: { code: error.code, message: error.message }
      });
    }
  );

  return app;
}

/**
 * The Express application of the share-link service. It never listens:
 * `main.ts` does, and tests drive the app directly.
 */
import express from 'express';

import { IServiceContext } from './context';
import { HttpError } from './errors';
import { errorPage } from './pages';
import { createApiRouter } from './routes/api';
import { createOpenRouter } from './routes/open';
import { createStatusRouter } from './routes/status';
import { securityHeaders } from './security';

/** Create the service's Express application. */
export function createApp(context: IServiceContext): express.Express {
  const { config, logger } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.use(securityHeaders());

  const router = express.Router();

  router.use(createStatusRouter(context));
  router.use('/api', createApiRouter(context));
  router.use(createOpenRouter(context));

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
      const error = asHttpError(err);
      context.metrics.failures.inc({ code: error.code });
      if (error.status >= 500) {
        logger.error('request failed', {
          method: req.method,
          path: req.path,
          code: error.code,
          error: err instanceof Error ? err.message : String(err)
        });
      }
      if (res.headersSent) {
        res.end();
        return;
      }
      if (error.retryAfter !== undefined) {
        res.set('Retry-After', String(error.retryAfter));
      }
      res.status(error.status);
      if (wantsJson(req, config.servicePrefix)) {
        res.json({ error: { code: error.code, message: error.message } });
      } else {
        res
          .type('html')
          .send(errorPage(error, { prefix: config.servicePrefix }));
      }
    }
  );

  return app;
}

/** The error to show for anything thrown while handling a request. */
function asHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) {
    return err;
  }
  // Express's body parser marks its own errors with a status.
  const status =
    typeof err === 'object' && err !== null && 'status' in err
      ? Number((err as { status: unknown }).status)
      : 500;
  if (status >= 400 && status < 500) {
    return new HttpError(
      status,
      'invalid_request',
      'The request could not be read: send a JSON body no larger than the' +
        ' service allows.'
    );
  }
  return new HttpError(
    500,
    'internal',
    'The share-link service failed unexpectedly. Try again; if it keeps' +
      ' failing, tell your Hub admin.'
  );
}

/** API callers get JSON errors; browsers get a page. */
function wantsJson(req: express.Request, prefix: string): boolean {
  return (
    req.originalUrl.startsWith(`${prefix}api/`) ||
    !(req.get('Accept') ?? '').includes('text/html')
  );
}

/**
 * The JSON API the JupyterLab extension calls: service info and minting
 * links. Every request carries the user's token in the Authorization header.
 */
import express from 'express';

import { IServiceContext } from '../context';

/** Create the router for `<prefix>api/`. */
export function createApiRouter(_context: IServiceContext): express.Router {
  const router = express.Router();
  return router;
}

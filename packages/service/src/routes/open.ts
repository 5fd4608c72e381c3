/**
 * The recipient's side: opening a link in a browser, logging in through the
 * Hub, confirming, and getting a fresh copy in a matching server.
 */
import express from 'express';

import { IServiceContext } from '../context';

/** Create the router for links, OAuth and the recipient's pages. */
export function createOpenRouter(_context: IServiceContext): express.Router {
  const router = express.Router();
  return router;
}

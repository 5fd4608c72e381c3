/**
 * The scopes the service's own Hub role must hold, checked at start and
 * before the requests that need them, so an incomplete role gives a 403
 * saying what to ask the admin for instead of a failure deep in a request.
 */
import { HubClient, missingScope } from './hub';
import { ILogger } from './log';

/** A need of the service, as the Hub's scopes can satisfy it. */
export interface IScopeNeed {
  /** How people and admins should read it. */
  name: string;
  /** Any of these (unfiltered) scopes satisfies the need. */
  satisfiedBy: string[];
  /** What the service cannot do without it. */
  action: string;
}

/** Reading users' servers (owner check, environments, spawn state). */
export const READ_SERVERS: IScopeNeed = {
  name: 'read:servers',
  satisfiedBy: ['read:servers'],
  action: "read users' servers"
};

/** Reaching users' servers (checking and copying files). */
export const ACCESS_SERVERS: IScopeNeed = {
  name: 'access:servers',
  satisfiedBy: ['access:servers'],
  action: "reach users' servers to read and copy files"
};

/** Starting recipients' servers: `start:servers` (6.x) or `servers` (5.x). */
export const START_SERVERS: IScopeNeed = {
  name: 'start:servers (servers on JupyterHub 5)',
  satisfiedBy: ['start:servers', 'servers'],
  action: "start recipients' servers"
};

/** Everything the service needs. */
export const SERVICE_SCOPE_NEEDS: readonly IScopeNeed[] = [
  READ_SERVERS,
  ACCESS_SERVERS,
  START_SERVERS
];

/** The needs that `scopes` (a token's expanded scopes) leave unmet. */
export function unmetScopeNeeds(
  scopes: readonly string[],
  needs: readonly IScopeNeed[] = SERVICE_SCOPE_NEEDS
): IScopeNeed[] {
  return needs.filter(need => !need.satisfiedBy.some(s => scopes.includes(s)));
}

/** What the service's token may do, as the Hub last said. */
export class ServiceScopes {
  constructor(
    private readonly _hub: HubClient,
    private readonly _logger: ILogger
  ) {}

  /**
   * Ask the Hub for the service's scopes and log an error naming every
   * missing one. The service keeps serving: requests that need a missing
   * scope are refused with a 403 saying what to ask for.
   *
   * @returns the unmet needs, or undefined when the Hub could not be asked.
   */
  async check(): Promise<IScopeNeed[] | undefined> {
    let scopes: string[];
    try {
      scopes = await this._hub.ownScopes();
    } catch (err) {
      this._logger.warn('cannot check the service scopes yet', {
        error: err instanceof Error ? err.message : String(err)
      });
      return undefined;
    }
    this._scopes = scopes;
    const unmet = unmetScopeNeeds(scopes);
    if (unmet.length) {
      this._logger.error(
        "the service's Hub role lacks scopes it needs: " +
          unmet.map(need => `${need.name} (to ${need.action})`).join(', ') +
          '. Add them to the role of the service in load_roles.',
        { missingScopes: unmet.map(need => need.name) }
      );
    } else {
      this._logger.info('service scopes checked', { scopes: scopes.length });
    }
    return unmet;
  }

  /**
   * {@link check} at start, asking again every `intervalMs` while the Hub
   * does not answer (it may still be starting), at most `attempts` times.
   */
  async checkAtStart(attempts = 12, intervalMs = 5000): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if ((await this.check()) !== undefined) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, intervalMs).unref());
    }
  }

  /**
   * Make sure the service holds every one of `needs`.
   *
   * @throws HttpError 403 `service_scope_missing` naming the first missing
   *   scope and what to ask the admin for. When the Hub could not say, the
   *   request goes on (the Hub refuses it later if the scope is missing).
   */
  async require(...needs: IScopeNeed[]): Promise<void> {
    if (!this._scopes) {
      await this.check();
    }
    if (!this._scopes) {
      return;
    }
    const [unmet] = unmetScopeNeeds(this._scopes, needs);
    if (unmet) {
      throw missingScope(unmet.name, unmet.action);
    }
  }

  private _scopes?: string[];
}

/** Who is calling: the Authorization header only, and the service scope. */
import express from 'express';

import { authenticateCaller, tokenFromHeader } from './callers';
import { IServiceContext } from './context';
import { HttpError } from './errors';
import { IHubIdentity } from './hub';

/** A context whose Hub knows one token. */
function contextWith(identity: IHubIdentity): IServiceContext {
  return {
    config: { serviceName: 'share-link' },
    hub: {
      identify: async (token: string) => {
        if (token !== 'good-token') {
          throw new HttpError(401, 'unauthorized', 'The Hub said no.');
        }
        return identity;
      }
    }
  } as unknown as IServiceContext;
}

function request(headers: Record<string, string>): express.Request {
  const lower = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])
  );
  return {
    get: (name: string) => lower[name.toLowerCase()]
  } as express.Request;
}

async function refusal(
  context: IServiceContext,
  headers: Record<string, string>
): Promise<HttpError> {
  try {
    await authenticateCaller(context, request(headers));
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('accepted');
}

const ALICE: IHubIdentity = {
  name: 'alice',
  kind: 'user',
  scopes: ['access:services!service=share-link', 'read:users:name!user=alice']
};

describe('callers', () => {
  describe('#tokenFromHeader()', () => {
    it.each([
      ['token abc', 'abc'],
      ['Token abc', 'abc'],
      ['Bearer abc', 'abc'],
      ['bearer   abc  ', 'abc']
    ])('should read %j', (header, token) => {
      expect(tokenFromHeader(header)).toBe(token);
    });

    it.each([undefined, '', 'abc', 'Basic YWxpY2U6eA==', 'token', 'token a b'])(
      'should refuse %j',
      header => {
        expect(tokenFromHeader(header)).toBeUndefined();
      }
    );
  });

  describe('#authenticateCaller()', () => {
    it('should identify the token holder', async () => {
      const caller = await authenticateCaller(
        contextWith(ALICE),
        request({ Authorization: 'token good-token' })
      );
      expect(caller.name).toBe('alice');
    });

    it('should accept the unfiltered access:services scope', async () => {
      const caller = await authenticateCaller(
        contextWith({ ...ALICE, scopes: ['access:services'] }),
        request({ Authorization: 'token good-token' })
      );
      expect(caller.name).toBe('alice');
    });

    it('should ignore cookies: no header is 401', async () => {
      const error = await refusal(contextWith(ALICE), {
        Cookie: 'jupyterhub-session-id=x; share-link-session=good-token'
      });
      expect([error.status, error.code]).toEqual([401, 'unauthorized']);
      expect(error.message).toContain('Authorization');
    });

    it('should pass on the Hub refusing the token', async () => {
      const error = await refusal(contextWith(ALICE), {
        Authorization: 'token bad-token'
      });
      expect(error.status).toBe(401);
    });

    it('should refuse a token without the service scope, naming it', async () => {
      const error = await refusal(
        contextWith({
          ...ALICE,
          scopes: [
            'access:services!service=other',
            'access:servers!server=alice/'
          ]
        }),
        { Authorization: 'token good-token' }
      );
      expect([error.status, error.code]).toEqual([403, 'forbidden']);
      expect(error.message).toContain('access:services!service=share-link');
    });

    it('should refuse a service token', async () => {
      const error = await refusal(
        contextWith({ ...ALICE, kind: 'service', scopes: ['access:services'] }),
        { Authorization: 'token good-token' }
      );
      expect(error.status).toBe(403);
    });
  });
});

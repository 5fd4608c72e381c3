import { ShareLinkClient, ShareLinkResponseError } from './client';
import { describeShareLinkError } from './errorMessages';
import { shareLinkServiceUrl } from './serviceUrl';
import {
  FakeFetch,
  fakeClient,
  INFO_REPLY,
  LINK_REPLY,
  trans
} from './testing/fakes';

describe('shareLinkServiceUrl()', () => {
  it('should put the service beside a Hub at the root', () => {
    const url = shareLinkServiceUrl({ hubPrefix: '/hub/' }, 'share-link');
    expect(url).toBe('/services/share-link/');
  });

  it('should keep a Hub base URL such as /jhub/', () => {
    const url = shareLinkServiceUrl({ hubPrefix: '/jhub/hub/' }, 'share-link');
    expect(url).toBe('/jhub/services/share-link/');
  });

  it('should accept a prefix without its trailing slash', () => {
    const url = shareLinkServiceUrl({ hubPrefix: '/jhub/hub' }, 'links');
    expect(url).toBe('/jhub/services/links/');
  });

  it('should prepend the Hub host when it differs from the page', () => {
    const url = shareLinkServiceUrl(
      { hubPrefix: '/hub/', hubHost: 'https://hub.example.org/' },
      'share-link'
    );
    expect(url).toBe('https://hub.example.org/services/share-link/');
  });

  it('should give null when the page is not under a Hub', () => {
    expect(shareLinkServiceUrl({}, 'share-link')).toBeNull();
    expect(shareLinkServiceUrl({ hubPrefix: '' }, 'share-link')).toBeNull();
  });
});

describe('ShareLinkClient', () => {
  describe('#getInfo()', () => {
    it('should send the page token in the Authorization header', async () => {
      const fake = new FakeFetch().reply({ status: 200, json: INFO_REPLY });

      const info = await fakeClient(fake).getInfo('gpu');

      expect(info).toEqual(INFO_REPLY);
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0].url).toBe(
        '/services/share-link/api/info?server=gpu'
      );
      expect(fake.requests[0].headers.Authorization).toBe('token page-token');
    });

    it('should refuse a reply without expiry limits', async () => {
      const fake = new FakeFetch().reply({
        status: 200,
        json: { ...INFO_REPLY, expiry: { defaultSeconds: 60 } }
      });

      await expect(fakeClient(fake).getInfo('')).rejects.toMatchObject({
        name: 'ShareLinkResponseError',
        code: 'bad_reply'
      });
    });

    it('should call an HTML 404 page an unavailable service', async () => {
      const fake = new FakeFetch().reply({
        status: 404,
        text: '<html>404 : Not Found</html>',
        contentType: 'text/html'
      });

      const error = await fakeClient(fake)
        .getInfo('')
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ShareLinkResponseError);
      expect((error as ShareLinkResponseError).isServiceUnavailable).toBe(true);
      expect(describeShareLinkError(error, trans)).toBe(
        'The share-link service is not available on this Hub: ask your admin to enable it.'
      );
    });

    it('should call a JSON 404 from an older service unavailable', async () => {
      const fake = new FakeFetch().reply({
        status: 404,
        json: { error: { code: 'not_found', message: 'Nothing here.' } }
      });

      const error = await fakeClient(fake)
        .getInfo('')
        .catch((e: unknown) => e);

      expect(describeShareLinkError(error, trans)).toMatch(
        /^The share-link service is not available on this Hub/
      );
    });

    it('should call a network failure an unavailable service', async () => {
      const fake = new FakeFetch().reply({ networkError: 'Failed to fetch' });

      const error = await fakeClient(fake)
        .getInfo('')
        .catch((e: unknown) => e);

      expect((error as ShareLinkResponseError).status).toBe(0);
      expect((error as ShareLinkResponseError).isServiceUnavailable).toBe(true);
    });

    it('should say there is no Hub when there is no service URL', async () => {
      const client = new ShareLinkClient({
        baseUrl: null,
        token: 't',
        fetch: new FakeFetch().fetch
      });

      const error = await client.getInfo('').catch((e: unknown) => e);

      expect(describeShareLinkError(error, trans)).toMatch(/not running under/);
    });
  });

  describe('#createLink()', () => {
    it('should post the path, server and expiry as JSON', async () => {
      const fake = new FakeFetch().reply({ status: 201, json: LINK_REPLY });

      const link = await fakeClient(fake).createLink({
        path: 'my dir/a #1.ipynb',
        server: '',
        expires_in: 3600
      });

      expect(link.url).toBe(LINK_REPLY.url);
      const request = fake.requests[0];
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/services/share-link/api/links');
      expect(request.headers['Content-Type']).toBe('application/json');
      expect(request.headers.Authorization).toBe('token page-token');
      expect(request.body).toEqual({
        path: 'my dir/a #1.ipynb',
        server: '',
        expires_in: 3600
      });
    });

    it("should carry the service's error code and message", async () => {
      const message = "Hidden files can't be shared: .env starts with a dot.";
      const fake = new FakeFetch().reply({
        status: 422,
        json: { error: { code: 'not_shareable', message } }
      });

      const error = await fakeClient(fake)
        .createLink({ path: '.env', server: '', expires_in: 60 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ShareLinkResponseError);
      expect(error).toMatchObject({ status: 422, code: 'not_shareable' });
      expect(describeShareLinkError(error, trans)).toBe(message);
    });

    it('should tell a user without permission what to ask for', async () => {
      const fake = new FakeFetch().reply({
        status: 403,
        json: {
          error: {
            code: 'forbidden',
            message: 'Your token lacks access:services!service=share-link'
          }
        }
      });

      const error = await fakeClient(fake)
        .createLink({ path: 'a.txt', server: '', expires_in: 60 })
        .catch((e: unknown) => e);

      expect(describeShareLinkError(error, trans)).toBe(
        "You don't have permission to share this file: Your token lacks " +
          'access:services!service=share-link. Ask your admin for access ' +
          'to the share-link service if you need it.'
      );
    });

    it('should refuse a reply whose link is not a URL', async () => {
      const fake = new FakeFetch().reply({
        status: 201,
        json: { ...LINK_REPLY, url: 'javascript:alert(1)' }
      });

      await expect(
        fakeClient(fake).createLink({ path: 'a', server: '', expires_in: 60 })
      ).rejects.toMatchObject({ code: 'bad_reply' });
    });
  });
});

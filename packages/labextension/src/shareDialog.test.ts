import { Dialog } from '@jupyterlab/apputils';

import { showShareLinkDialog } from './shareDialog';
import {
  FakeFetch,
  fakeClient,
  flushPromises,
  INFO_REPLY,
  LINK_REPLY,
  trans
} from './testing/fakes';

/** Waits until `find` returns an element, for React's async rendering. */
async function waitFor<T>(find: () => T | null | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found) {
      return found;
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error('timed out waiting for the dialog');
}

/** The share dialog's element with the given data-testid, once shown. */
function dialogElement<T extends HTMLElement>(id: string): Promise<T> {
  return waitFor(() =>
    document.querySelector<T>(`.jp-Dialog [data-testid="share-link-${id}"]`)
  );
}

describe('showShareLinkDialog()', () => {
  afterEach(() => {
    Dialog.flush();
  });

  it('should resolve to the created link once closed', async () => {
    const fake = new FakeFetch()
      .reply({ status: 200, json: INFO_REPLY })
      .reply({ status: 201, json: LINK_REPLY });
    const copied: string[] = [];

    const closed = showShareLinkDialog({
      client: fakeClient(fake),
      path: 'report.ipynb',
      server: 'gpu',
      defaultExpiry: null,
      document: null,
      copyToClipboard: async text => {
        copied.push(text);
      },
      trans
    });
    closed.catch(() => undefined);

    const header = await waitFor(() =>
      document.querySelector('.jp-Dialog-header')?.textContent
        ? document.querySelector('.jp-Dialog-header')
        : null
    );
    expect(header.textContent).toContain('Share a Copy');
    const create = await dialogElement<HTMLButtonElement>('create');
    await waitFor(() => !create.disabled);
    create.click();
    await flushPromises();
    (await dialogElement<HTMLButtonElement>('copy')).click();
    await flushPromises();
    expect(copied).toEqual([LINK_REPLY.url]);
    expect(fake.requests[0].url).toBe(
      '/services/share-link/api/info?server=gpu'
    );

    document
      .querySelector<HTMLButtonElement>('.jp-Dialog-footer .jp-mod-reject')!
      .click();

    await expect(closed).resolves.toEqual(LINK_REPLY);
    expect(document.querySelector('.jp-Dialog')).toBeNull();
  });

  it('should resolve to null when closed before creating', async () => {
    const fake = new FakeFetch().reply({ status: 200, json: INFO_REPLY });

    const closed = showShareLinkDialog({
      client: fakeClient(fake),
      path: 'report.ipynb',
      server: '',
      defaultExpiry: null,
      document: null,
      trans
    });
    closed.catch(() => undefined);
    await dialogElement('expiry');
    const close = await waitFor(() =>
      document.querySelector<HTMLButtonElement>(
        '.jp-Dialog-footer .jp-mod-reject'
      )
    );
    close.click();

    await expect(closed).resolves.toBeNull();
  });
});

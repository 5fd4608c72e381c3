import { Widget } from '@lumino/widgets';

import { type IShareLinkPanelOptions, ShareLinkPanel } from './sharePanel';
import {
  deferred,
  type FakeReply,
  FakeFetch,
  fakeClient,
  flushPromises,
  INFO_REPLY,
  LINK_REPLY,
  trans
} from './testing/fakes';

/** A fixed clock: 2026-12-04 10:00 local time. */
const NOW = new Date(2026, 11, 4, 10, 0, 0);

/** Finds an element of the panel by its data-testid. */
function byTestId<T extends HTMLElement>(panel: Widget, id: string): T {
  const node = panel.node.querySelector<T>(`[data-testid="share-link-${id}"]`);
  if (!node) {
    throw new Error(`no element share-link-${id}`);
  }
  return node;
}

/** Whether an element and all its ancestors in the panel are shown. */
function isShown(panel: Widget, node: HTMLElement): boolean {
  for (let n: HTMLElement | null = node; n; n = n.parentElement) {
    if (n.hidden) {
      return false;
    }
    if (n === panel.node) {
      return true;
    }
  }
  return true;
}

describe('ShareLinkPanel', () => {
  let fake: FakeFetch;
  let copied: string[];
  let panel: ShareLinkPanel;

  function makePanel(
    infoReply: FakeReply | Promise<FakeReply>,
    extra: Partial<IShareLinkPanelOptions> = {}
  ): ShareLinkPanel {
    fake.reply(infoReply);
    panel = new ShareLinkPanel({
      client: fakeClient(fake),
      path: 'results/report.ipynb',
      server: '',
      defaultExpiry: null,
      document: null,
      copyToClipboard: async text => {
        copied.push(text);
      },
      trans,
      now: () => NOW,
      ...extra
    });
    Widget.attach(panel, document.body);
    return panel;
  }

  beforeEach(() => {
    fake = new FakeFetch();
    copied = [];
  });

  afterEach(() => {
    panel.dispose();
  });

  describe('while loading the service info', () => {
    it('should show the file name and a loading status', async () => {
      const info = deferred<FakeReply>();
      makePanel(info.promise);

      expect(panel.state).toBe('loading');
      expect(byTestId(panel, 'file-name').textContent).toBe('report.ipynb');
      expect(byTestId(panel, 'status').textContent).toBe(
        'Asking the share-link service…'
      );
      expect(isShown(panel, byTestId(panel, 'create'))).toBe(false);

      info.resolve({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;
      expect(panel.state).toBe('ready');
    });
  });

  describe('when the service is missing', () => {
    it('should tell the user to ask the admin to enable it', async () => {
      makePanel({
        status: 404,
        text: '<h1>404</h1>',
        contentType: 'text/html'
      });
      await panel.infoLoaded;

      expect(panel.state).toBe('info-error');
      const error = byTestId(panel, 'error');
      expect(isShown(panel, error)).toBe(true);
      expect(error.getAttribute('role')).toBe('alert');
      expect(error.textContent).toBe(
        'The share-link service is not available on this Hub: ask your admin to enable it.'
      );
      expect(isShown(panel, byTestId(panel, 'create'))).toBe(false);
      expect(panel.getValue()).toBeNull();
    });
  });

  describe('when ready', () => {
    it("should show the recipient's environment and what they get", async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;

      expect(byTestId(panel, 'environment').textContent).toBe(
        "The recipient's copy opens in image-b."
      );
      expect(byTestId(panel, 'explanation').textContent).toContain(
        'latest saved version of report.ipynb'
      );
      expect(byTestId(panel, 'explanation').textContent).toContain(
        'until the link expires'
      );
      expect(isShown(panel, byTestId(panel, 'unsaved'))).toBe(false);
      const create = byTestId<HTMLButtonElement>(panel, 'create');
      expect(create.textContent).toBe('Create Link');
      expect(create.disabled).toBe(false);
      expect(document.activeElement).toBe(create);
    });

    it("should select the service's default and offer all presets", async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      const options = Array.from(select.options).map(o => o.text);
      expect(options).toEqual([
        '1 hour',
        '1 day',
        '1 week',
        'Custom date and time…'
      ]);
      expect(select.value).toBe('1d');
      expect(byTestId(panel, 'expiry-hint').textContent).toBe(
        'Links last at most 30 days.'
      );
    });

    it('should leave out presets beyond the maximum', async () => {
      makePanel({
        status: 200,
        json: {
          ...INFO_REPLY,
          expiry: { defaultSeconds: 3600, maxSeconds: 172800 }
        }
      });
      await panel.infoLoaded;

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      expect(Array.from(select.options).map(o => o.value)).toEqual([
        '1h',
        '1d',
        'custom'
      ]);
      expect(select.value).toBe('1h');
      expect(byTestId(panel, 'expiry-hint').textContent).toBe(
        'Links last at most 2 days.'
      );
    });

    it('should start from the user setting, capped at the maximum', async () => {
      makePanel(
        {
          status: 200,
          json: {
            ...INFO_REPLY,
            expiry: { defaultSeconds: 3600, maxSeconds: 7200 }
          }
        },
        { defaultExpiry: 604800 }
      );
      await panel.infoLoaded;

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      expect(select.value).toBe('custom');
      const custom = byTestId<HTMLInputElement>(panel, 'custom-expiry');
      expect(isShown(panel, custom)).toBe(true);
      expect(custom.value).toBe('2026-12-04T12:00');
      expect(custom.max).toBe('2026-12-04T12:00');
    });

    it('should refuse a custom time beyond the maximum', async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      select.value = 'custom';
      select.dispatchEvent(new Event('change'));
      const custom = byTestId<HTMLInputElement>(panel, 'custom-expiry');
      custom.value = '2027-06-01T10:00';
      custom.dispatchEvent(new Event('input'));

      expect(byTestId(panel, 'expiry-hint').textContent).toBe(
        'Pick an earlier time. Links last at most 30 days.'
      );
      expect(custom.getAttribute('aria-invalid')).toBe('true');
      expect(byTestId<HTMLButtonElement>(panel, 'create').disabled).toBe(true);

      await panel.createLink();
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('#createLink()', () => {
    it('should post the chosen preset and show the link', async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;
      const reply = deferred<FakeReply>();
      fake.reply(reply.promise);

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      select.value = '1h';
      select.dispatchEvent(new Event('change'));
      byTestId(panel, 'create').click();
      await flushPromises();

      expect(panel.state).toBe('creating');
      expect(byTestId(panel, 'status').textContent).toBe('Creating the link…');
      expect(byTestId<HTMLButtonElement>(panel, 'create').disabled).toBe(true);
      expect(fake.requests[1].body).toEqual({
        path: 'results/report.ipynb',
        server: '',
        expires_in: 3600
      });

      reply.resolve({ status: 201, json: LINK_REPLY });
      await flushPromises();

      expect(panel.state).toBe('created');
      const url = byTestId<HTMLInputElement>(panel, 'url');
      expect(isShown(panel, url)).toBe(true);
      expect(url.readOnly).toBe(true);
      expect(url.value).toBe(LINK_REPLY.url);
      expect(byTestId(panel, 'expires-at').textContent).toContain(
        new Date(LINK_REPLY.expires_at).toLocaleString()
      );
      expect(isShown(panel, byTestId(panel, 'create'))).toBe(false);
      expect(panel.getValue()).toEqual(LINK_REPLY);
      expect(document.activeElement).toBe(byTestId(panel, 'copy'));
    });

    it('should send a custom time as expires_at in UTC', async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;
      fake.reply({ status: 201, json: LINK_REPLY });

      const select = byTestId<HTMLSelectElement>(panel, 'expiry');
      select.value = 'custom';
      select.dispatchEvent(new Event('change'));
      const custom = byTestId<HTMLInputElement>(panel, 'custom-expiry');
      custom.value = '2026-12-05T09:30';
      custom.dispatchEvent(new Event('input'));
      await panel.createLink();

      expect(fake.requests[1].body).toEqual({
        path: 'results/report.ipynb',
        server: '',
        expires_at: new Date(2026, 11, 5, 9, 30).toISOString()
      });
      expect(panel.state).toBe('created');
    });

    it("should show the service's reason when the file can't be shared", async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;
      const message = "Hidden files can't be shared: .env starts with a dot.";
      fake.reply({
        status: 422,
        json: { error: { code: 'not_shareable', message } }
      });

      await panel.createLink();

      expect(panel.state).toBe('ready');
      expect(byTestId(panel, 'error').textContent).toBe(message);
      expect(isShown(panel, byTestId(panel, 'error'))).toBe(true);
      expect(byTestId<HTMLButtonElement>(panel, 'create').disabled).toBe(false);
      expect(panel.getValue()).toBeNull();
    });
  });

  describe('#copyLink()', () => {
    it('should copy the link and say so', async () => {
      makePanel({ status: 200, json: INFO_REPLY });
      await panel.infoLoaded;
      fake.reply({ status: 201, json: LINK_REPLY });
      await panel.createLink();

      byTestId(panel, 'copy').click();
      await flushPromises();

      expect(copied).toEqual([LINK_REPLY.url]);
      expect(byTestId(panel, 'copied').textContent).toBe('Copied');
    });

    it('should say how to copy by hand when the clipboard refuses', async () => {
      makePanel(
        { status: 200, json: INFO_REPLY },
        { copyToClipboard: () => Promise.reject(new Error('denied')) }
      );
      await panel.infoLoaded;
      fake.reply({ status: 201, json: LINK_REPLY });
      await panel.createLink();

      await panel.copyLink();

      expect(byTestId(panel, 'copied').textContent).toMatch(/press Ctrl\+C/);
    });
  });

  describe('with unsaved changes', () => {
    it('should say so and offer to save first', async () => {
      const document = { dirty: true, save: jest.fn(async () => undefined) };
      makePanel({ status: 200, json: INFO_REPLY }, { document });
      await panel.infoLoaded;

      const notice = byTestId(panel, 'unsaved');
      expect(isShown(panel, notice)).toBe(true);
      expect(notice.textContent).toBe(
        'report.ipynb has unsaved changes. Recipients get the last saved version, without them.'
      );
      const saveAndCreate = byTestId<HTMLButtonElement>(
        panel,
        'save-and-create'
      );
      expect(isShown(panel, saveAndCreate)).toBe(true);
      expect(saveAndCreate.textContent).toBe('Save and Share');
      expect(byTestId(panel, 'create').textContent).toBe('Share Saved Version');
    });

    it('should save, then create the link', async () => {
      const document = {
        dirty: true,
        save: jest.fn(async () => {
          document.dirty = false;
        })
      };
      makePanel({ status: 200, json: INFO_REPLY }, { document });
      await panel.infoLoaded;
      fake.reply({ status: 201, json: LINK_REPLY });

      await panel.saveAndCreateLink();

      expect(document.save).toHaveBeenCalledTimes(1);
      expect(fake.requests).toHaveLength(2);
      expect(panel.state).toBe('created');
      expect(isShown(panel, byTestId(panel, 'unsaved'))).toBe(false);
    });

    it('should not create a link when saving fails', async () => {
      const document = {
        dirty: true,
        save: jest.fn(() => Promise.reject(new Error('disk full')))
      };
      makePanel({ status: 200, json: INFO_REPLY }, { document });
      await panel.infoLoaded;

      await panel.saveAndCreateLink();

      expect(fake.requests).toHaveLength(1);
      expect(panel.state).toBe('ready');
      expect(byTestId(panel, 'error').textContent).toBe(
        'Could not save report.ipynb: disk full. Save it yourself, then create the link.'
      );
    });
  });
});

/**
 * The share dialog's body: what is shared, until when, and the link.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { IServiceInfo, IShareLink, ShareLinkClient } from './client';
import type { IDocumentState } from './documentState';
import { describeShareLinkError } from './errorMessages';
import {
  checkCustomExpiry,
  type ExpiryChoice,
  expiryRequestFields,
  fromDateTimeLocal,
  initialExpiryChoice,
  presetsWithin,
  toDateTimeLocal
} from './expiry';

/**
 * A widget that loads the service's info, lets the user pick an expiry,
 * creates the link and copies it. Its `getValue()` is the link, if made.
 */
export class ShareLinkPanel extends Widget {
  constructor(options: IShareLinkPanelOptions) {
    super();
    this.addClass('jp-ShareLink-panel');
    this._options = options;
    this._trans = options.trans;
    this._now = options.now ?? (() => new Date());
    this._dom = buildDom(this.node, options);

    this._dom.expirySelect.addEventListener('change', () =>
      this._onExpirySelected()
    );
    this._dom.customExpiry.addEventListener('input', () => this._checkExpiry());
    this._dom.createButton.addEventListener(
      'click',
      () => void this.createLink()
    );
    this._dom.saveAndCreateButton.addEventListener(
      'click',
      () => void this.saveAndCreateLink()
    );
    this._dom.copyButton.addEventListener('click', () => void this.copyLink());
    this._dom.urlInput.addEventListener('focus', () =>
      this._dom.urlInput.select()
    );

    this._setState('loading');
    this._infoLoaded = this._loadInfo();
  }

  /** Where the dialog is: loading, info-error, ready, creating, created. */
  get state(): ShareLinkPanelState {
    return this._state;
  }

  /** Settles once the service's info has been asked for and shown. */
  get infoLoaded(): Promise<void> {
    return this._infoLoaded;
  }

  /** The link created in this dialog, or null. */
  getValue(): IShareLink | null {
    return this._link;
  }

  /** Creates the link with the chosen expiry and shows it. */
  async createLink(): Promise<void> {
    const choice = this._checkExpiry();
    if (this._state !== 'ready' || choice === null) {
      return;
    }
    const { client, path, server } = this._options;

    this._showError(null);
    this._setState('creating');
    let link: IShareLink;
    try {
      link = await client.createLink({
        path,
        server,
        ...expiryRequestFields(choice)
      });
    } catch (reason) {
      this._showError(describeShareLinkError(reason, this._trans));
      this._setState('ready');
      return;
    }

    this._link = link;
    this._showLink(link);
    this._setState('created');
    this._dom.copyButton.focus();
  }

  /** Saves the open document, then creates the link. */
  async saveAndCreateLink(): Promise<void> {
    const document = this._options.document;
    if (this._state !== 'ready' || !document) {
      return;
    }

    this._showError(null);
    this._setState('saving');
    try {
      await document.save();
    } catch (reason) {
      this._showError(
        this._trans.__(
          'Could not save %1: %2. Save it yourself, then create the link.',
          this._fileName,
          reason instanceof Error ? reason.message : String(reason)
        )
      );
      this._setState('ready');
      return;
    }

    this._setState('ready');
    await this.createLink();
  }

  /** Copies the link to the clipboard and says so. */
  async copyLink(): Promise<void> {
    if (!this._link) {
      return;
    }
    const copied = this._dom.copied;
    this._dom.urlInput.select();
    try {
      await this._options.copyToClipboard(this._link.url);
      copied.textContent = this._trans.__('Copied');
    } catch {
      copied.textContent = this._trans.__(
        'Could not copy: press Ctrl+C (⌘C on a Mac) to copy the selected link.'
      );
    }
  }

  /** Asks the service for its limits and the recipient's environment. */
  private async _loadInfo(): Promise<void> {
    let info: IServiceInfo;
    try {
      info = await this._options.client.getInfo(this._options.server);
    } catch (reason) {
      this._showError(describeShareLinkError(reason, this._trans));
      this._setState('info-error');
      return;
    }
    this._info = info;
    this._showInfo(info);
    this._setState('ready');
    const dirty = this._options.document?.dirty ?? false;
    (dirty ? this._dom.saveAndCreateButton : this._dom.createButton).focus();
  }

  /** Fills the form from the service's info. */
  private _showInfo(info: IServiceInfo): void {
    const dom = this._dom;
    const trans = this._trans;
    const maxSeconds = info.expiry.maxSeconds;
    const wanted = this._options.defaultExpiry ?? info.expiry.defaultSeconds;
    const choice = initialExpiryChoice(wanted, maxSeconds, this._now());

    dom.environment.textContent = trans.__(
      "The recipient's copy opens in %1.",
      info.environment.label
    );

    dom.expirySelect.replaceChildren();
    for (const preset of presetsWithin(maxSeconds)) {
      dom.expirySelect.append(
        new Option(durationLabel(preset.seconds, trans), preset.id)
      );
    }
    dom.expirySelect.append(
      new Option(trans.__('Custom date and time…'), CUSTOM)
    );
    if (choice.kind === 'preset') {
      dom.expirySelect.value =
        presetsWithin(maxSeconds).find(p => p.seconds === choice.seconds)?.id ??
        CUSTOM;
    } else {
      dom.expirySelect.value = CUSTOM;
      dom.customExpiry.value = toDateTimeLocal(choice.at);
    }
    this._onExpirySelected();
  }

  /** Shows the custom time field when "custom" is picked. */
  private _onExpirySelected(): void {
    const custom = this._dom.expirySelect.value === CUSTOM;
    const input = this._dom.customExpiry;
    input.hidden = !custom;

    if (custom && this._info) {
      const now = this._now();
      const maxMs = this._info.expiry.maxSeconds * 1000;
      input.min = toDateTimeLocal(new Date(now.getTime() + 60_000));
      input.max = toDateTimeLocal(new Date(now.getTime() + maxMs));
      if (!input.value) {
        const wanted =
          this._options.defaultExpiry ?? this._info.expiry.defaultSeconds;
        const seconds = Math.min(wanted, this._info.expiry.maxSeconds);
        input.value = toDateTimeLocal(new Date(now.getTime() + seconds * 1000));
      }
    }
    this._checkExpiry();
  }

  /** The chosen expiry, or null (with a hint saying why) if unusable. */
  private _checkExpiry(): ExpiryChoice | null {
    const info = this._info;
    if (!info) {
      return null;
    }
    const dom = this._dom;
    const trans = this._trans;
    const maxSeconds = info.expiry.maxSeconds;
    const maxText = trans.__(
      'Links last at most %1.',
      durationLabel(maxSeconds, trans)
    );

    let choice: ExpiryChoice | null = null;
    let problem = '';
    if (dom.expirySelect.value !== CUSTOM) {
      const preset = presetsWithin(maxSeconds).find(
        p => p.id === dom.expirySelect.value
      );
      choice = preset ? { kind: 'preset', seconds: preset.seconds } : null;
    } else {
      const at = fromDateTimeLocal(dom.customExpiry.value);
      const check = checkCustomExpiry(at, maxSeconds, this._now());
      if (check === 'ok' && at) {
        choice = { kind: 'custom', at };
      } else if (check === 'past') {
        problem = trans.__('Pick a time in the future.');
      } else if (check === 'beyond-max') {
        problem = trans.__('Pick an earlier time.');
      } else {
        problem = trans.__('Enter a date and time.');
      }
    }

    dom.expiryHint.textContent = problem ? `${problem} ${maxText}` : maxText;
    dom.expiryHint.classList.toggle('jp-mod-invalid', problem !== '');
    dom.customExpiry.setAttribute('aria-invalid', String(problem !== ''));
    this._updateButtons();
    return choice;
  }

  /** Shows the created link and when it stops working. */
  private _showLink(link: IShareLink): void {
    const expires = new Date(link.expires_at);
    this._dom.urlInput.value = link.url;
    this._dom.expiresAt.textContent = this._trans.__(
      'The link works until %1. Anyone on this Hub who opens it before then gets their own copy of %2 as last saved at that moment.',
      expires.toLocaleString(),
      link.file.name
    );
    this._dom.copied.textContent = '';
  }

  /** Shows an error for the user, or clears it with null. */
  private _showError(message: string | null): void {
    this._dom.error.textContent = message ?? '';
    this._dom.error.hidden = message === null;
  }

  /** Moves to a state and shows what belongs to it. */
  private _setState(state: ShareLinkPanelState): void {
    const dom = this._dom;
    const trans = this._trans;
    this._state = state;
    this.node.dataset.state = state;

    const status: Record<ShareLinkPanelState, string> = {
      loading: trans.__('Asking the share-link service…'),
      'info-error': '',
      ready: '',
      saving: trans.__('Saving %1…', this._fileName),
      creating: trans.__('Creating the link…'),
      created: ''
    };
    dom.status.textContent = status[state];
    dom.status.hidden = status[state] === '';

    dom.form.hidden = state === 'loading' || state === 'info-error';
    dom.expiryFields.disabled = state !== 'ready';
    dom.actions.hidden = state === 'created';
    dom.result.hidden = state !== 'created';
    this._updateButtons();
  }

  /** Enables the actions that make sense now; shows the unsaved notice. */
  private _updateButtons(): void {
    const dom = this._dom;
    const enabled =
      this._state === 'ready' &&
      !dom.expiryHint.classList.contains('jp-mod-invalid');
    const dirty = this._options.document?.dirty ?? false;

    dom.unsaved.hidden = !dirty;
    dom.saveAndCreateButton.hidden = !dirty;
    dom.saveAndCreateButton.disabled = !enabled;
    dom.createButton.disabled = !enabled;
    dom.createButton.textContent = dirty
      ? this._trans.__('Share Saved Version')
      : this._trans.__('Create Link');
    dom.createButton.classList.toggle('jp-mod-accept', !dirty);
    dom.createButton.classList.toggle('jp-mod-reject', dirty);
  }

  private get _fileName(): string {
    return baseName(this._options.path);
  }

  private readonly _options: IShareLinkPanelOptions;
  private readonly _trans: TranslationBundle;
  private readonly _now: () => Date;
  private readonly _dom: IDom;
  private readonly _infoLoaded: Promise<void>;
  private _state: ShareLinkPanelState = 'loading';
  private _info: IServiceInfo | null = null;
  private _link: IShareLink | null = null;
}

/** Where the share dialog is. */
export type ShareLinkPanelState =
  'loading' | 'info-error' | 'ready' | 'saving' | 'creating' | 'created';

/** What the panel shares and with which helpers. */
export interface IShareLinkPanelOptions {
  /** The client for the share-link service. */
  client: ShareLinkClient;
  /** The file's path relative to the server's root. */
  path: string;
  /** The Hub's name of this server ('' for the default one). */
  server: string;
  /** The user's preferred lifetime in seconds, or null for the service's. */
  defaultExpiry: number | null;
  /** The file's open document, to warn about unsaved changes; or null. */
  document: IDocumentState | null;
  /** Puts text on the system clipboard; rejects if it could not. */
  copyToClipboard: (text: string) => Promise<void>;
  /** The extension's translations. */
  trans: TranslationBundle;
  /** The clock (tests set it). */
  now?: () => Date;
}

/** The select's value for a custom date and time. */
const CUSTOM = 'custom';

/** The panel's elements that change. */
interface IDom {
  status: HTMLElement;
  error: HTMLElement;
  form: HTMLElement;
  environment: HTMLElement;
  expiryFields: HTMLFieldSetElement;
  expirySelect: HTMLSelectElement;
  customExpiry: HTMLInputElement;
  expiryHint: HTMLElement;
  unsaved: HTMLElement;
  saveAndCreateButton: HTMLButtonElement;
  actions: HTMLElement;
  createButton: HTMLButtonElement;
  result: HTMLElement;
  urlInput: HTMLInputElement;
  copyButton: HTMLButtonElement;
  copied: HTMLElement;
  expiresAt: HTMLElement;
}

let nextId = 0;

/** Builds the panel's elements into `node`. */
function buildDom(node: HTMLElement, options: IShareLinkPanelOptions): IDom {
  const trans = options.trans;
  const id = `jp-ShareLink-${++nextId}`;
  const fileName = baseName(options.path);

  const file = element('p', 'file');
  file.append(
    trans.__('File: '),
    element('strong', 'fileName', 'file-name', fileName)
  );

  const status = element('p', 'status', 'status');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const error = element('p', 'error', 'error');
  error.setAttribute('role', 'alert');
  error.hidden = true;

  const environment = element('p', 'environment', 'environment');
  const expiryFields = document.createElement('fieldset');
  expiryFields.className = 'jp-ShareLink-expiry';
  const expiryLabel = document.createElement('label');
  expiryLabel.htmlFor = `${id}-expiry`;
  expiryLabel.className = 'jp-ShareLink-label';
  expiryLabel.textContent = trans.__('Link expires after');
  const expirySelect = document.createElement('select');
  expirySelect.id = `${id}-expiry`;
  expirySelect.className = 'jp-ShareLink-expirySelect jp-mod-styled';
  expirySelect.dataset.testid = 'share-link-expiry';
  const customExpiry = document.createElement('input');
  customExpiry.type = 'datetime-local';
  customExpiry.className = 'jp-ShareLink-customExpiry jp-mod-styled';
  customExpiry.dataset.testid = 'share-link-custom-expiry';
  customExpiry.setAttribute('aria-label', trans.__('Expiry date and time'));
  customExpiry.hidden = true;
  const expiryHint = element('p', 'hint', 'expiry-hint');
  customExpiry.setAttribute('aria-describedby', `${id}-hint`);
  expiryHint.id = `${id}-hint`;
  const expiryRow = element('div', 'expiryRow');
  expiryRow.append(expirySelect, customExpiry);
  expiryFields.append(expiryLabel, expiryRow, expiryHint);

  const explanation = element(
    'p',
    'explanation',
    'explanation',
    trans.__(
      'Each person who opens the link gets their own copy of the latest saved version of %1 in their own server, until the link expires. Your other files stay private.',
      fileName
    )
  );

  const unsaved = element('div', 'unsaved', 'unsaved');
  unsaved.setAttribute('role', 'note');
  unsaved.hidden = true;
  const saveAndCreateButton = button(
    'saveAndCreate jp-mod-accept',
    'save-and-create',
    trans.__('Save and Share')
  );
  unsaved.append(
    element(
      'p',
      'unsavedText',
      undefined,
      trans.__(
        '%1 has unsaved changes. Recipients get the last saved version, without them.',
        fileName
      )
    )
  );

  const actions = element('div', 'actions');
  const createButton = button('create jp-mod-accept', 'create', '');
  actions.append(createButton, saveAndCreateButton);

  const form = element('div', 'form');
  form.append(environment, expiryFields, explanation, unsaved, actions);

  const result = element('div', 'result', 'result');
  const urlLabel = document.createElement('label');
  urlLabel.htmlFor = `${id}-url`;
  urlLabel.className = 'jp-ShareLink-label';
  urlLabel.textContent = trans.__('Share link');
  const urlInput = document.createElement('input');
  urlInput.id = `${id}-url`;
  urlInput.type = 'text';
  urlInput.readOnly = true;
  urlInput.className = 'jp-ShareLink-url jp-mod-styled';
  urlInput.dataset.testid = 'share-link-url';
  const copyButton = button('copy jp-mod-accept', 'copy', trans.__('Copy'));
  const copied = element('span', 'copied', 'copied');
  copied.setAttribute('role', 'status');
  copied.setAttribute('aria-live', 'polite');
  const urlRow = element('div', 'urlRow');
  urlRow.append(urlInput, copyButton);
  const expiresAt = element('p', 'expiresAt', 'expires-at');
  result.append(urlLabel, urlRow, copied, expiresAt);
  result.hidden = true;

  node.append(file, status, error, form, result);
  return {
    status,
    error,
    form,
    environment,
    expiryFields,
    expirySelect,
    customExpiry,
    expiryHint,
    unsaved,
    saveAndCreateButton,
    actions,
    createButton,
    result,
    urlInput,
    copyButton,
    copied,
    expiresAt
  };
}

/** A lifetime in words: "1 hour", "30 days". */
function durationLabel(seconds: number, trans: TranslationBundle): string {
  const day = 24 * 60 * 60;
  if (seconds % (7 * day) === 0) {
    const weeks = seconds / (7 * day);
    return trans._n('%1 week', '%1 weeks', weeks);
  }
  if (seconds % day === 0) {
    return trans._n('%1 day', '%1 days', seconds / day);
  }
  if (seconds % 3600 === 0) {
    return trans._n('%1 hour', '%1 hours', seconds / 3600);
  }
  const minutes = Math.max(1, Math.round(seconds / 60));
  return trans._n('%1 minute', '%1 minutes', minutes);
}

/** The last segment of a path. */
function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  name: string,
  testId?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = `jp-ShareLink-${name}`;
  if (testId) {
    node.dataset.testid = `share-link-${testId}`;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function button(
  names: string,
  testId: string,
  label: string
): HTMLButtonElement {
  const node = document.createElement('button');
  node.type = 'button';
  const [name, ...modifiers] = names.split(' ');
  node.className = [
    `jp-ShareLink-${name}`,
    'jp-Dialog-button',
    'jp-mod-styled',
    ...modifiers
  ].join(' ');
  node.dataset.testid = `share-link-${testId}`;
  node.textContent = label;
  return node;
}

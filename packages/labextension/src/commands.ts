/**
 * The "Copy Share Link" command, for the file browser and the palette.
 */
import { Notification } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';

import type { IDocumentState } from './documentState';

/** The extension's command ids. */
export const CommandIDs = {
  /** Opens the share dialog for one file. */
  copyLink: 'share-link:copy-link'
} as const;

/** A file to share: its path from the server's root, and its open state. */
export interface IShareTarget {
  /** The file's path relative to the server's root. */
  path: string;
  /** The file's open document, or null when it is not open. */
  document: IDocumentState | null;
}

/** Adds the share command; dispose the result to remove it. */
export function addShareLinkCommands(
  options: IShareLinkCommandsOptions
): IDisposable {
  const { trans } = options;

  return options.commands.addCommand(CommandIDs.copyLink, {
    label: args =>
      source(args) === 'current-document'
        ? trans.__('Copy Share Link to Current File')
        : trans.__('Copy Share Link'),
    caption: args => caption(options, args),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
            description: trans.__(
              "The file's path from the server's root; by default the selected file."
            )
          },
          source: {
            type: 'string',
            enum: ['file-browser', 'current-document'],
            description: trans.__(
              'Where the file comes from when no path is given: the file browser selection (default) or the current document.'
            )
          }
        }
      }
    },
    isEnabled: args => resolve(options, args).target !== null,
    execute: async args => {
      const { target, problem } = resolve(options, args);
      if (target === null) {
        Notification.warning(problemText(problem, trans), {
          autoClose: 5000
        });
        return;
      }
      await options.share(target);
    }
  });
}

/** What the share command needs from the application. */
export interface IShareLinkCommandsOptions {
  /** The registry to add the command to. */
  commands: CommandRegistry;
  /** The file browser whose selection is shared, if there is one. */
  currentBrowser: () => IFileSelection | null;
  /** The file of the current document, if there is one. */
  currentFile: () => IShareTarget | null;
  /** The open document of a path, if open. */
  documentState: (path: string) => IDocumentState | null;
  /** Turns a contents path (maybe with a drive) into a server path. */
  localPath: (path: string) => string;
  /** Opens the share dialog for a file. */
  share: (target: IShareTarget) => Promise<unknown>;
  /** The extension's translations. */
  trans: TranslationBundle;
}

/** The part of a file browser the command reads. */
export interface IFileSelection {
  /** The selected items. */
  selectedItems(): IterableIterator<Contents.IModel>;
}

/** Why there is nothing to share. */
type Problem =
  'none' | 'nothing-selected' | 'folder' | 'several' | 'no-document';

/** Where the file comes from when no path is given. */
function source(
  args: ReadonlyPartialJSONObject
): 'file-browser' | 'current-document' {
  return args.source === 'current-document'
    ? 'current-document'
    : 'file-browser';
}

/** The file the command would share now, or why there is none. */
function resolve(
  options: IShareLinkCommandsOptions,
  args: ReadonlyPartialJSONObject
): { target: IShareTarget | null; problem: Problem } {
  if (typeof args.path === 'string' && args.path !== '') {
    const path = options.localPath(args.path);
    const document = options.documentState(path);
    return { target: { path, document }, problem: 'none' };
  }

  if (source(args) === 'current-document') {
    const target = options.currentFile();
    return { target, problem: target ? 'none' : 'no-document' };
  }

  const browser = options.currentBrowser();
  const items = browser ? Array.from(browser.selectedItems()) : [];
  if (items.some(item => item.type === 'directory')) {
    return { target: null, problem: 'folder' };
  }
  if (items.length !== 1) {
    const problem = items.length ? 'several' : 'nothing-selected';
    return { target: null, problem };
  }
  const path = options.localPath(items[0].path);
  const document = options.documentState(path);
  return { target: { path, document }, problem: 'none' };
}

/** The command's caption: what it does, or why it can't now. */
function caption(
  options: IShareLinkCommandsOptions,
  args: ReadonlyPartialJSONObject
): string {
  const { problem } = resolve(options, args);
  if (problem === 'none') {
    return options.trans.__(
      'Create a link that gives other users of this Hub their own copy of this file'
    );
  }
  return problemText(problem, options.trans);
}

/** A sentence about why there is nothing to share. */
function problemText(problem: Problem, trans: TranslationBundle): string {
  switch (problem) {
    case 'folder':
      return trans.__("Folders can't be shared yet: select one file.");
    case 'several':
      return trans.__('Select exactly one file to share.');
    case 'no-document':
      return trans.__('Open a file to share it.');
    default:
      return trans.__('Select one file to share.');
  }
}

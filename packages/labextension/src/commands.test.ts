import type { Contents } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';

import {
  addShareLinkCommands,
  CommandIDs,
  type IFileSelection,
  type IShareTarget
} from './commands';
import schema from '../schema/plugin.json';
import { trans } from './testing/fakes';

/** A contents model of the given type at `path`. */
function item(path: string, type: string): Contents.IModel {
  return { path, type, name: path.split('/').pop() } as Contents.IModel;
}

describe('share-link:copy-link', () => {
  let commands: CommandRegistry;
  let selection: Contents.IModel[];
  let currentFile: IShareTarget | null;
  let shared: IShareTarget[];

  beforeEach(() => {
    commands = new CommandRegistry();
    selection = [];
    currentFile = null;
    shared = [];
    const browser: IFileSelection = {
      selectedItems: () => selection[Symbol.iterator]()
    };
    addShareLinkCommands({
      commands,
      currentBrowser: () => browser,
      currentFile: () => currentFile,
      documentState: () => null,
      localPath: path => path.replace(/^[^/:]+:/, ''),
      share: async target => {
        shared.push(target);
      },
      trans
    });
  });

  describe('in the file browser', () => {
    it('should be enabled for one selected file', async () => {
      selection = [item('results/report.ipynb', 'notebook')];

      expect(commands.isVisible(CommandIDs.copyLink)).toBe(true);
      expect(commands.isEnabled(CommandIDs.copyLink)).toBe(true);
      expect(commands.label(CommandIDs.copyLink)).toBe('Copy Share Link');

      await commands.execute(CommandIDs.copyLink);
      expect(shared).toEqual([
        { path: 'results/report.ipynb', document: null }
      ]);
    });

    it('should be disabled for a folder, saying why', () => {
      selection = [item('results', 'directory')];

      expect(commands.isEnabled(CommandIDs.copyLink)).toBe(false);
      expect(commands.caption(CommandIDs.copyLink)).toBe(
        "Folders can't be shared yet: select one file."
      );
    });

    it('should be disabled when a folder is selected with a file', () => {
      selection = [item('a.txt', 'file'), item('results', 'directory')];

      expect(commands.isEnabled(CommandIDs.copyLink)).toBe(false);
      expect(commands.caption(CommandIDs.copyLink)).toMatch(/^Folders/);
    });

    it('should be disabled for several files', async () => {
      selection = [item('a.txt', 'file'), item('b.txt', 'file')];

      expect(commands.isEnabled(CommandIDs.copyLink)).toBe(false);
      expect(commands.caption(CommandIDs.copyLink)).toBe(
        'Select exactly one file to share.'
      );
    });

    it('should be disabled when nothing is selected', () => {
      expect(commands.isEnabled(CommandIDs.copyLink)).toBe(false);
    });

    it('should share the server path of a file on a named drive', async () => {
      selection = [item('RTC:notes/a b.md', 'file')];

      await commands.execute(CommandIDs.copyLink);

      expect(shared[0].path).toBe('notes/a b.md');
    });
  });

  describe('in the command palette', () => {
    const args = { source: 'current-document' };

    it('should share the current document', async () => {
      const document = { dirty: true, save: async () => undefined };
      currentFile = { path: 'draft.py', document };

      expect(commands.isEnabled(CommandIDs.copyLink, args)).toBe(true);
      expect(commands.label(CommandIDs.copyLink, args)).toBe(
        'Copy Share Link to Current File'
      );
      await commands.execute(CommandIDs.copyLink, args);

      expect(shared).toEqual([{ path: 'draft.py', document }]);
    });

    it('should be disabled without a current document', () => {
      selection = [item('a.txt', 'file')];

      expect(commands.isEnabled(CommandIDs.copyLink, args)).toBe(false);
      expect(commands.caption(CommandIDs.copyLink, args)).toBe(
        'Open a file to share it.'
      );
    });
  });

  describe('the settings schema', () => {
    it('should put the command in the context menu of files only', () => {
      const entries = schema['jupyter.lab.menus'].context;

      expect(entries).toContainEqual(
        expect.objectContaining({
          command: CommandIDs.copyLink,
          selector: '.jp-DirListing-item[data-isdir="false"]'
        })
      );
    });
  });
});

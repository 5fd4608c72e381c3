/**
 * JupyterHub Share Link: the JupyterLab extension's plugins.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { ShareLinkClient } from './client';
import {
  addShareLinkCommands,
  CommandIDs,
  type IShareTarget
} from './commands';
import { openDocumentState, widgetFile } from './documentState';
import { readShareLinkSettings } from './settings';
import { showShareLinkDialog } from './shareDialog';
import { shareLinkServiceUrl } from './serviceUrl';

/** The plugin's id, also the id of its settings. */
const PLUGIN_ID = 'jupyterhub-share-link:plugin';

/** The "Copy Share Link" command and its dialog. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Copy a share link for a file, for other users of the Hub.',
  autoStart: true,
  requires: [JupyterFrontEnd.IPaths, IFileBrowserFactory],
  optional: [IDocumentManager, ICommandPalette, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    paths: JupyterFrontEnd.IPaths,
    browsers: IFileBrowserFactory,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterhub_share_link');
    let settings: ISettingRegistry.ISettings | null = null;
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => (settings = loaded))
        .catch(reason =>
          console.error('Share link: settings not loaded.', reason)
        );
    }

    const share = (target: IShareTarget) => {
      const { defaultExpiry, serviceName } = readShareLinkSettings(settings);
      const client = new ShareLinkClient({
        baseUrl: shareLinkServiceUrl(paths.urls, serviceName),
        token: PageConfig.getToken()
      });
      return showShareLinkDialog({
        ...target,
        client,
        server: paths.urls.hubServerName ?? '',
        defaultExpiry,
        trans
      });
    };

    addShareLinkCommands({
      commands: app.commands,
      currentBrowser: () => browsers.tracker.currentWidget,
      currentFile: () => widgetFile(docManager, app.shell.currentWidget),
      documentState: path => openDocumentState(docManager, path),
      localPath: path => app.serviceManager.contents.localPath(path),
      share,
      trans
    });

    palette?.addItem({
      command: CommandIDs.copyLink,
      category: trans.__('File Operations'),
      args: { source: 'current-document' }
    });
  }
};

export default plugin;

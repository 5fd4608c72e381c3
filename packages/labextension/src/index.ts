/**
 * JupyterHub Share Link: the JupyterLab extension's plugins.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/** The share-link plugin. */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterhub-share-link:plugin',
  description: 'Copy a share link for a file, for other users of the Hub.',
  autoStart: true,
  activate: (_app: JupyterFrontEnd) => {
    // Commands are added by the sender issue's work.
  }
};

export default plugin;

/**
 * The "Copy Share Link" dialog.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

import type { IShareLink } from './client';
import { copyTextToClipboard } from './clipboard';
import { type IShareLinkPanelOptions, ShareLinkPanel } from './sharePanel';

/** Options of the share dialog: those of its panel, clipboard optional. */
export type ShareLinkDialogOptions = Omit<
  IShareLinkPanelOptions,
  'copyToClipboard'
> &
  Partial<Pick<IShareLinkPanelOptions, 'copyToClipboard'>>;

/** Opens the share dialog for one file; resolves to the link, if made. */
export async function showShareLinkDialog(
  options: ShareLinkDialogOptions
): Promise<IShareLink | null> {
  const trans = options.trans;
  const body = new ShareLinkPanel({
    ...options,
    copyToClipboard: options.copyToClipboard ?? copyTextToClipboard
  });
  // The only footer button is Close, and Escape closes too: the Dialog gives
  // body values for accept buttons only, so ask the body directly.
  await showDialog({
    title: trans.__('Share a Copy'),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    hasClose: true
  });
  return body.getValue();
}

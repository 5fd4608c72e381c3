/**
 * Copying text to the system clipboard.
 */
import { Clipboard } from '@jupyterlab/apputils';

/**
 * Puts text on the system clipboard: the async Clipboard API where the
 * page may use it, else JupyterLab's copy through a selection.
 */
export async function copyTextToClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Refused (no permission, page not focused): try the older way.
    }
  }
  Clipboard.copyToSystem(text);
}

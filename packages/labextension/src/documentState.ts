/**
 * Whether a file is open with unsaved changes, and saving it.
 */
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { Widget } from '@lumino/widgets';

/** An open document's saved state, as the share dialog needs it. */
export interface IDocumentState {
  /** Whether the document has changes not yet saved to disk. */
  readonly dirty: boolean;
  /** Saves the document to disk. */
  save(): Promise<void>;
}

/** The state of the document open on `path`, or null if it isn't open. */
export function openDocumentState(
  docManager: IDocumentManager | null,
  path: string
): IDocumentState | null {
  const widget = docManager?.findWidget(path) ?? undefined;
  return widget ? widgetDocumentState(docManager, widget) : null;
}

/** The state of the document shown in `widget`, or null if it has none. */
export function widgetDocumentState(
  docManager: IDocumentManager | null,
  widget: Widget
): IDocumentState | null {
  const context = docManager?.contextForWidget(widget);
  return context ? stateOf(context) : null;
}

/** The file shown in `widget`: its local path and saved state; or null. */
export function widgetFile(
  docManager: IDocumentManager | null,
  widget: Widget | null
): { path: string; document: IDocumentState } | null {
  const context = widget ? docManager?.contextForWidget(widget) : undefined;
  if (!context || context.contentsModel?.type === 'directory') {
    return null;
  }
  return { path: context.localPath, document: stateOf(context) };
}

/** An open document's context, as the document manager gives it. */
type DocumentContext = NonNullable<
  ReturnType<IDocumentManager['contextForWidget']>
>;

/** A live view of a context's dirty flag. */
function stateOf(context: DocumentContext): IDocumentState {
  return {
    get dirty() {
      return context.model.dirty;
    },
    save: () => context.save()
  };
}

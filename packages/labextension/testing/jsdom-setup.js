// jsdom lacks a few browser APIs that JupyterLab's widgets touch on import.
if (!window.matchMedia) {
  window.matchMedia = () => ({
    matches: false,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined
  });
}
if (typeof window.DragEvent === 'undefined') {
  window.DragEvent = class DragEvent extends window.MouseEvent {};
}
if (typeof window.requestIdleCallback === 'undefined') {
  window.requestIdleCallback = callback => setTimeout(() => callback(), 0);
  window.cancelIdleCallback = id => clearTimeout(id);
}

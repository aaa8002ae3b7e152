// Makes a dialog a drop target for files: highlights while files hover, refuses drops while busy, and
// keeps the drop from reaching the page-wide import handler.
export const hasFiles = (ev: DragEvent): boolean => !!ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');

export function dropTarget(el: HTMLElement, opts: { busy: () => boolean; onFiles: (files: File[]) => void }): void {
  const hover = (ev: DragEvent) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    if (ev.type === 'dragover') ev.dataTransfer!.dropEffect = opts.busy() ? 'none' : 'copy';
    el.classList.add('dragging');
  };
  el.addEventListener('dragenter', hover);
  el.addEventListener('dragover', hover);
  el.addEventListener('dragleave', (ev) => {
    if (ev.relatedTarget === null || !el.contains(ev.relatedTarget as Node)) el.classList.remove('dragging');
  });
  el.addEventListener('drop', (ev) => {
    if (!hasFiles(ev)) return;
    ev.preventDefault();
    ev.stopPropagation();
    el.classList.remove('dragging');
    opts.onFiles([...(ev.dataTransfer?.files ?? [])]);
  });
}

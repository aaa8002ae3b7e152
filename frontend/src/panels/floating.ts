// Floating layers (context menu, expand filter, settings): one at a time, placed at a point and kept
// inside the window, closed by Escape, by a press outside, or by the caller.
export interface Point {
  x: number;
  y: number;
}

export interface Floating {
  el: HTMLElement;
  close(): void;
}

let current: { el: HTMLElement; close(): void } | null = null;

/** Closes the open floating layer, if any. */
export function closeFloating(): void {
  current?.close();
}

/** Whether a floating layer is open. */
export function floatingOpen(): boolean {
  return current !== null;
}

/**
 * Shows `el` at `at` (client coordinates) above everything, replacing any other floating layer. `focus`
 * gets the keyboard focus; on close, focus goes back to where it was.
 */
export function openFloating(el: HTMLElement, at: Point, opts: { focus?: HTMLElement | null; onClose?: () => void } = {}): Floating {
  closeFloating();
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  el.classList.add('floating');
  el.style.left = `${Math.round(at.x)}px`;
  el.style.top = `${Math.round(at.y)}px`;
  document.body.append(el);
  // keep it inside the window: flip left/up when it would overflow
  const box = el.getBoundingClientRect();
  const margin = 8;
  if (box.right > window.innerWidth - margin) el.style.left = `${Math.max(margin, Math.round(at.x - box.width))}px`;
  if (box.bottom > window.innerHeight - margin) el.style.top = `${Math.max(margin, Math.round(Math.min(at.y - box.height, window.innerHeight - margin - box.height)))}px`;

  let closed = false;
  const onDown = (ev: Event) => {
    if (!el.contains(ev.target as Node)) close();
  };
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      close();
      previous?.focus();
    }
  };
  const onBlur = () => close();
  function close(): void {
    if (closed) return;
    closed = true;
    document.removeEventListener('pointerdown', onDown, true);
    document.removeEventListener('keydown', onKey, true);
    window.removeEventListener('blur', onBlur);
    window.removeEventListener('resize', onBlur);
    el.remove();
    if (current?.el === el) current = null;
    opts.onClose?.();
  }
  // a press that opened this layer must not close it: listen from the next task on
  setTimeout(() => {
    if (closed) return;
    document.addEventListener('pointerdown', onDown, true);
  }, 0);
  document.addEventListener('keydown', onKey, true);
  window.addEventListener('blur', onBlur);
  window.addEventListener('resize', onBlur);
  current = { el, close };
  (opts.focus ?? el).focus({ preventScroll: true });
  return { el, close };
}

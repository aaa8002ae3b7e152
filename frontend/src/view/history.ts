// Undo/redo as a stack of view-state snapshots: every view action (expand, remove, hide, filter, pin,
// layout, paths…) commits the state it left; undo goes back to the state before it, redo forward again.
// Generic over the snapshot type so it stays pure and testable without a canvas.

export interface HistoryEntry<S> {
  /** what the action did, for tooltips and toasts: "Expand Red Dragon" */
  label: string;
  before: S;
  after: S;
  /** the action moved the camera (layouts): undo and redo restore the viewport too */
  viewport: boolean;
}

export class UndoStack<S> {
  private past: HistoryEntry<S>[] = [];
  private future: HistoryEntry<S>[] = [];
  private now: S | null = null;

  /** @param limit entries kept; the oldest fall off */
  constructor(private readonly limit = 100) {}

  /** Starts over from `state` (a case opened, a view restored, a merge recorded on the server). */
  reset(state: S): void {
    this.past = [];
    this.future = [];
    this.now = state;
  }

  /** Records an action that led from the current state to `state`; clears what could be redone. */
  commit(label: string, state: S, viewport = false): void {
    if (this.now === null) {
      this.now = state;
      return;
    }
    this.past.push({ label, before: this.now, after: state, viewport });
    if (this.past.length > this.limit) this.past.splice(0, this.past.length - this.limit);
    this.future = [];
    this.now = state;
  }

  /** Steps back: the entry undone (restore its `before`), or undefined when there is nothing to undo. */
  undo(): HistoryEntry<S> | undefined {
    const entry = this.past.pop();
    if (!entry) return undefined;
    this.future.push(entry);
    this.now = entry.before;
    return entry;
  }

  /** Steps forward again: the entry redone (restore its `after`). */
  redo(): HistoryEntry<S> | undefined {
    const entry = this.future.pop();
    if (!entry) return undefined;
    this.past.push(entry);
    this.now = entry.after;
    return entry;
  }

  get current(): S | null {
    return this.now;
  }

  get undoLabel(): string | null {
    return this.past.at(-1)?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.future.at(-1)?.label ?? null;
  }

  get depth(): { undo: number; redo: number } {
    return { undo: this.past.length, redo: this.future.length };
  }
}

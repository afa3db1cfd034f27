import { watch, type FSWatcher } from 'node:fs';
import type { IDisposable } from '../core/lifecycle.ts';
import { LAB_ID_PATTERN } from '../core/protocol.ts';

/**
 * Watches the labs folder and reports which lab changed (its folder name), debounced: an editor's save is
 * often several writes. The catalog re-parses on its own when asked; this only says when to ask.
 */
export class LabWatcher implements IDisposable {
  private readonly _watcher: FSWatcher;
  private readonly _pending = new Map<string, NodeJS.Timeout>();

  constructor(labsDir: string, onChange: (labId: string) => void, debounceMs = 150) {
    // Recursive watching works on Linux from Node 20 on; one watcher covers lab.md, files/, assets/ and solve/.
    this._watcher = watch(labsDir, { recursive: true }, (_event, filename) => {
      const labId = filename?.toString().split(/[\\/]/)[0];
      if (!labId || !LAB_ID_PATTERN.test(labId)) return;
      clearTimeout(this._pending.get(labId));
      this._pending.set(
        labId,
        setTimeout(() => {
          this._pending.delete(labId);
          onChange(labId);
        }, debounceMs),
      );
    });
    this._watcher.on('error', () => this.dispose());
  }

  dispose(): void {
    this._watcher.close();
    for (const t of this._pending.values()) clearTimeout(t);
    this._pending.clear();
  }
}

/**
 * Ownership of resources: everything that holds a pty, socket, timer, handle or container is an
 * {@link IDisposable} owned by exactly one parent. `main` owns the root; disposing it tears down the tree.
 * Modelled on xterm.js' `src/common/Lifecycle.ts`. `dispose()` is idempotent and never throws.
 */

export interface IDisposable {
  dispose(): void;
}

/** Wraps a cleanup function so it runs at most once. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Disposes each, collecting nothing: one failing cleanup must not stop the others. */
export function disposeAll(items: Iterable<IDisposable>): void {
  for (const item of items) {
    try {
      item.dispose();
    } catch (err) {
      // A cleanup that throws is a bug in that cleanup; report it without breaking the teardown.
      reportDisposeError(err);
    }
  }
}

let reportDisposeError: (err: unknown) => void = (err) => {
  (globalThis as { console?: { error(...a: unknown[]): void } }).console?.error('dispose failed', err);
};

/** Lets the composition root route dispose failures to its logger. */
export function setDisposeErrorHandler(handler: (err: unknown) => void): void {
  reportDisposeError = handler;
}

/** A set of disposables disposed together; adding to a disposed store disposes the item at once. */
export class DisposableStore implements IDisposable {
  private readonly _items = new Set<IDisposable>();
  private _disposed = false;

  get isDisposed(): boolean {
    return this._disposed;
  }

  add<T extends IDisposable>(item: T): T {
    if (this._disposed) {
      disposeAll([item]);
    } else {
      this._items.add(item);
    }
    return item;
  }

  /** Forgets an item without disposing it (its owner changed). */
  delete(item: IDisposable): void {
    this._items.delete(item);
  }

  clear(): void {
    const items = [...this._items].reverse();
    this._items.clear();
    disposeAll(items);
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this.clear();
  }
}

/** Base class for objects that own disposables: `this._register(x)` ties x's life to this object's. */
export abstract class Disposable implements IDisposable {
  protected readonly _store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  dispose(): void {
    this._store.dispose();
  }
}

/** Holds at most one disposable; setting a new value disposes the old one. */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private _value: T | undefined;
  private _disposed = false;

  get value(): T | undefined {
    return this._value;
  }

  set value(next: T | undefined) {
    if (this._disposed) {
      if (next) disposeAll([next]);
      return;
    }
    if (next === this._value) return;
    const old = this._value;
    this._value = next;
    if (old) disposeAll([old]);
  }

  dispose(): void {
    this._disposed = true;
    const old = this._value;
    this._value = undefined;
    if (old) disposeAll([old]);
  }
}

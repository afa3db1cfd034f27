import { toDisposable, type IDisposable } from './lifecycle.ts';

/** A typed event: subscribing returns the disposable that unsubscribes. */
export type Event<T> = (listener: (value: T) => void) => IDisposable;

/**
 * Keeps listeners privately and exposes {@link Emitter.event} publicly:
 * `private readonly _onExit = this._register(new Emitter<number>()); readonly onExit = this._onExit.event;`
 */
export class Emitter<T> implements IDisposable {
  private _listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this._listeners.add(listener);
    return toDisposable(() => this._listeners.delete(listener));
  };

  fire(value: T): void {
    for (const listener of [...this._listeners]) listener(value);
  }

  get hasListeners(): boolean {
    return this._listeners.size > 0;
  }

  dispose(): void {
    this._listeners.clear();
  }
}

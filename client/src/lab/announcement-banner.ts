import type { AnnouncementView } from '../../../server/core/protocol.ts';
import { el } from '../dom.ts';
import type { EventsSocket } from '../session.ts';

const DISMISSED_KEY = 'labrunner.dismissedAnnouncement';

/**
 * The instructor's latest announcement, above the lab: a live region (a new one is read out as it arrives),
 * dismissible; a dismissed one stays dismissed across reloads, a newer one shows again.
 */
export class AnnouncementBanner {
  readonly element: HTMLElement;
  private readonly _box: HTMLElement;
  private readonly _text = el('p', { class: 'announcement-text' });
  private readonly _time = el('span', { class: 'announcement-time' });
  private _shownId: number | undefined;
  private readonly _onAnnouncement = (a: AnnouncementView) => this.show(a);

  constructor(
    private readonly _socket: EventsSocket,
    initial: AnnouncementView | undefined,
  ) {
    const dismiss = el('button', { type: 'button', class: 'dismiss-button', 'aria-label': 'Dismiss the announcement' }, 'Dismiss');
    dismiss.addEventListener('click', () => {
      if (this._shownId !== undefined) localStorage.setItem(DISMISSED_KEY, String(this._shownId));
      this._box.hidden = true;
    });
    this._box = el('div', { class: 'announcement-box' }, el('strong', {}, 'Announcement from your instructor'), this._time, this._text, dismiss);
    this._box.hidden = true;
    // The live region itself stays in the page (hidden regions are not announced when they appear).
    this.element = el('div', { class: 'announcement', role: 'status', 'aria-live': 'polite' }, this._box);
    if (initial && localStorage.getItem(DISMISSED_KEY) !== String(initial.id)) this.show(initial);
    _socket.on('announcement', this._onAnnouncement);
  }

  show(announcement: AnnouncementView): void {
    if (this._shownId !== undefined && announcement.id < this._shownId) return;
    this._shownId = announcement.id;
    this._time.textContent = ` at ${new Date(announcement.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    this._text.textContent = announcement.text;
    this._box.hidden = false;
  }

  dispose(): void {
    this._socket.off('announcement', this._onAnnouncement);
  }
}

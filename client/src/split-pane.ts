/**
 * A draggable, keyboard-operable divider between the instructions and the terminal. The ratio is remembered.
 * On a narrow window the panes stack (CSS) and the divider is hidden.
 */
export function makeSplitPane(layout: HTMLElement, divider: HTMLElement, onResize: () => void): void {
  const KEY = 'labrunner.split';
  const apply = (ratio: number) => {
    const clamped = Math.min(0.8, Math.max(0.2, ratio));
    layout.style.setProperty('--split', `${(clamped * 100).toFixed(2)}%`);
    divider.setAttribute('aria-valuenow', String(Math.round(clamped * 100)));
    localStorage.setItem(KEY, String(clamped));
    onResize();
  };
  apply(Number(localStorage.getItem(KEY)) || 0.45);

  divider.addEventListener('pointerdown', (down) => {
    divider.setPointerCapture(down.pointerId);
    layout.classList.add('dragging');
    const move = (ev: PointerEvent) => {
      const rect = layout.getBoundingClientRect();
      apply((ev.clientX - rect.left) / rect.width);
    };
    const up = () => {
      layout.classList.remove('dragging');
      divider.removeEventListener('pointermove', move);
      divider.removeEventListener('pointerup', up);
    };
    divider.addEventListener('pointermove', move);
    divider.addEventListener('pointerup', up);
  });
  divider.addEventListener('keydown', (ev) => {
    const now = Number(divider.getAttribute('aria-valuenow')) / 100;
    if (ev.key === 'ArrowLeft') apply(now - 0.05);
    else if (ev.key === 'ArrowRight') apply(now + 0.05);
    else return;
    ev.preventDefault();
  });
}

import type { JoinRequest } from '../../../server/core/protocol.ts';
import { ApiError, el, errorMessage, postJson, topbar } from '../dom.ts';

/** Whether the server's refusal is about the roster id (it answers 403 NotOnRoster, or 400 naming the field). */
function aboutRoster(err: ApiError): boolean {
  return err.code === 'NotOnRoster' || err.field === 'rosterId';
}

/**
 * `/join/<code>`: a student joins with a display name (and their roster id when the classroom has a roster:
 * the field appears when the server says it is needed). The server sets the session cookie; then the app
 * starts again at `/`, as the student. Errors are the server's own words, next to the field at fault.
 */
export function showJoinPage(app: HTMLElement, code: string): void {
  document.title = 'Join a classroom · labrunner';
  const error = el('p', { id: 'join-error', class: 'error', role: 'alert', tabindex: '-1' });
  const name = el('input', { id: 'join-name', name: 'displayName', required: '', maxlength: '60', autocomplete: 'name', 'aria-describedby': 'join-name-help' });
  const roster = el('input', { id: 'join-roster', name: 'rosterId', maxlength: '64', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'join-roster-help' });
  const rosterField = el(
    'div',
    { class: 'field' },
    el('label', { for: roster.id }, 'Your student ID'),
    roster,
    el('span', { id: 'join-roster-help', class: 'field-help' }, 'This classroom admits only the students on its list: the ID your instructor gave you.'),
  );
  rosterField.hidden = true;
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Join');
  const form = el(
    'form',
    { class: 'join-form', novalidate: '' },
    el('div', { class: 'field' }, el('label', { for: name.id }, 'Your name'), name, el('span', { id: 'join-name-help', class: 'field-help' }, 'Your instructor sees this name.')),
    rosterField,
    error,
    el('div', { class: 'actions' }, submit),
  );
  app.replaceChildren(topbar(), el('main', { class: 'catalog narrow' }, el('h1', {}, 'Join the classroom'), form));
  name.focus();

  const fail = (message: string, field?: HTMLInputElement) => {
    error.textContent = message;
    for (const input of [name, roster]) input.removeAttribute('aria-invalid');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', `${field.id}-help join-error`);
      field.focus();
    } else {
      error.focus();
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const displayName = name.value.trim();
    if (!displayName) return fail('Enter your name.', name);
    if (!rosterField.hidden && !roster.value.trim()) return fail('Enter your student ID.', roster);
    const request: JoinRequest = { code, displayName, ...(rosterField.hidden ? {} : { rosterId: roster.value.trim() }) };
    submit.disabled = true;
    submit.textContent = 'Joining…';
    postJson<{ redirect?: string }>('/api/join', request).then(
      (answer) => {
        // Only a path on this server: never follow an absolute URL from a response.
        const target = answer.redirect?.startsWith('/') && !answer.redirect.startsWith('//') ? answer.redirect : '/';
        location.assign(target);
      },
      (err: unknown) => {
        submit.disabled = false;
        submit.textContent = 'Join';
        if (err instanceof ApiError && aboutRoster(err)) {
          const firstTime = rosterField.hidden;
          rosterField.hidden = false;
          return fail(firstTime && !roster.value ? `This classroom admits only the students on its list. ${err.text}` : err.text, roster);
        }
        if (err instanceof ApiError && err.field === 'displayName') return fail(err.text, name);
        fail(err instanceof ApiError ? err.text : `Could not reach the server: ${errorMessage(err)}`);
      },
    );
  });
}

import { el } from '../dom.ts';
import type { EventsSocket } from '../session.ts';

let formCount = 0;

/**
 * A classroom student's own AWS credentials for a lab that runs against real AWS. They go to the server over
 * the socket (checked there with STS, kept in its memory only); the page never shows the secret again: the
 * secret and token fields are cleared whatever the answer, and only the account id comes back.
 */
export function awsCredentialsForm(socket: EventsSocket, labId: string, onAccepted: (accountId: string) => void): HTMLFormElement {
  const n = ++formCount;
  const id = (name: string) => `aws-${name}-${n}`;
  const field = (label: string, input: HTMLInputElement, help?: string) => {
    input.id = id(input.name);
    const children: (Node | string)[] = [el('label', { for: input.id }, label), input];
    if (help) {
      const helpId = `${input.id}-help`;
      input.setAttribute('aria-describedby', helpId);
      children.push(el('span', { id: helpId, class: 'field-help' }, help));
    }
    return el('div', { class: 'field' }, ...children);
  };
  const keyId = el('input', { name: 'accessKeyId', required: '', autocomplete: 'off', spellcheck: 'false', pattern: '[A-Z0-9]{16,128}' });
  const secret = el('input', { name: 'secretAccessKey', type: 'password', required: '', autocomplete: 'off' });
  const token = el('input', { name: 'sessionToken', type: 'password', autocomplete: 'off' });
  const region = el('input', { name: 'region', required: '', value: 'us-east-1', spellcheck: 'false', pattern: '[a-z]{2}(-[a-z]+)+-\\d' });
  const status = el('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Use these credentials');
  const form = el(
    'form',
    { class: 'aws-credentials', 'aria-labelledby': id('title') },
    el('h2', { id: id('title') }, 'Your AWS account'),
    el('p', {}, 'This lab runs against your own AWS account. Your keys stay in the server’s memory for this session and are never shown again.'),
    field('Access key ID', keyId),
    field('Secret access key', secret),
    field('Session token (optional)', token, 'Only for temporary credentials.'),
    field('Region', region),
    el('div', { class: 'actions' }, submit),
    status,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const request = {
      labId,
      accessKeyId: keyId.value.trim(),
      secretAccessKey: secret.value,
      region: region.value.trim(),
      ...(token.value.trim() ? { sessionToken: token.value.trim() } : {}),
    };
    // The secret leaves the page's fields at once: it is never echoed back, on success or failure.
    secret.value = '';
    token.value = '';
    submit.disabled = true;
    status.textContent = 'Checking your credentials…';
    socket.timeout(30_000).emit('aws:credentials', request, (err, answer) => {
      submit.disabled = false;
      if (err) {
        status.textContent = 'The server did not answer. Enter the secret again and retry.';
        status.className = 'form-status error';
        return;
      }
      if (!answer.ok) {
        status.textContent = `${sentence(answer.error.message)} Enter the secret again and retry.`;
        status.className = 'form-status error';
        secret.focus();
        return;
      }
      status.className = 'form-status ok';
      status.textContent = `Using AWS account ${answer.value.accountId} in ${request.region}.`;
      onAccepted(answer.value.accountId);
    });
  });
  return form;
}

/** The server's message as a sentence, so the page's own words can follow it. */
function sentence(message: string): string {
  return /[.!?…]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;
}

import type { AnnouncementView, DashboardStudentView, DashboardView } from '../../../server/core/protocol.ts';
import { el, errorMessage, postJson, showMessage, topbar } from '../dom.ts';
import type { AppContext, PageHandle } from '../page.ts';
import { completionChart, funnelChart } from './charts.ts';
import { joinDisplay } from './classrooms-page.ts';
import { DashboardGrid, tickClocks, type GridSort } from './dashboard-grid.ts';
import { formatClock } from './format.ts';
import { StudentDetail } from './student-detail.ts';

const ANNOUNCEMENT_MAX = 500;

/**
 * `/classroom/<id>`: the instructor's live view of a class. The socket opens the dashboard (`dashboard:open`)
 * and then receives each student's row as it changes; everything on the page is drawn from that state.
 */
export async function showDashboard(ctx: AppContext, classroomId: string): Promise<PageHandle> {
  const { app, session, events } = ctx;
  if (session.role === 'student' || (session.role === 'instructor' && session.classroom?.id !== classroomId)) {
    showMessage(app, 'This dashboard is for the classroom’s instructor. Open the instructor link you were given.', { title: 'Not your dashboard' });
    return { dispose: () => undefined };
  }
  let view = await openDashboard(ctx, classroomId);
  let clockOffset = view.now - Date.now();
  const serverNow = () => Date.now() + clockOffset;
  const students = new Map(view.students.map((s) => [s.learnerId, s]));
  let labId = view.classroom.labIds.find((id) => view.labs.some((l) => l.id === id)) ?? view.labs[0]?.id;
  let sort: GridSort = 'name';
  const lab = () => view.labs.find((l) => l.id === labId);

  document.title = `${view.classroom.name} · dashboard · labrunner`;
  const detail = new StudentDetail(events, classroomId, (learnerId) => grid.focusRow(learnerId));
  const grid = new DashboardGrid((learnerId) => {
    const student = students.get(learnerId);
    if (!student) return;
    detail.open(student, lab());
    renderGrid();
    detail.element.scrollIntoView({ block: 'nearest' });
  }, 'grid-title');
  const charts = el('div', { class: 'charts' });
  const connection = el('span', { class: 'status', role: 'status', 'data-state': 'connected' }, 'live');

  const renderGrid = () => grid.render(lab(), [...students.values()], sort, serverNow, detail.learnerId);
  const renderCharts = () => {
    const current = lab();
    const all = [...students.values()];
    const steps = current?.steps ?? [];
    const passTimes = all.flatMap((s) => steps.flatMap((step) => s.labs[current!.id]?.steps[step.id]?.firstPassedAt ?? []));
    charts.replaceChildren(
      funnelChart(
        steps.map((step) => ({ title: step.title, passed: all.filter((s) => s.labs[current!.id]?.steps[step.id]?.status === 'passed').length })),
        all.length,
      ),
      completionChart(passTimes, all.length * steps.length, serverNow()),
    );
  };
  // Many updates can arrive at once (a whole class pressing Check): draw once per frame.
  let frame = 0;
  const scheduleRender = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      renderGrid();
      renderCharts();
    });
  };

  const toolbar = el('div', { class: 'toolbar' });
  if (view.labs.length > 1) {
    const select = el('select', { id: 'lab-select' }, ...view.classroom.labIds.flatMap((id) => {
      const l = view.labs.find((x) => x.id === id);
      return l ? [el('option', { value: l.id }, l.title)] : [];
    }));
    select.value = labId ?? '';
    select.addEventListener('change', () => {
      labId = select.value;
      detail.close();
      scheduleRender();
    });
    toolbar.append(el('div', { class: 'field inline' }, el('label', { for: select.id }, 'Lab'), select));
  } else if (lab()) {
    toolbar.append(el('p', { class: 'lab-name' }, `Lab: ${lab()!.title}`));
  }
  const sortSelect = el('select', { id: 'sort-select' }, el('option', { value: 'name' }, 'Name'), el('option', { value: 'progress' }, 'Progress'), el('option', { value: 'stuck' }, 'Stuck first'));
  sortSelect.addEventListener('change', () => {
    sort = sortSelect.value as GridSort;
    renderGrid();
  });
  toolbar.append(el('div', { class: 'field inline' }, el('label', { for: sortSelect.id }, 'Sort by'), sortSelect));

  const announcements = announcementBox(ctx, classroomId, view.announcements);
  const manage = manageBox(classroomId, view);
  const nav: Node[] = [el('h1', { class: 'lab-title' }, `${view.classroom.name}: dashboard`), connection];
  if (session.role === 'owner') nav.push(el('a', { href: '/classrooms', class: 'nav-link' }, 'Classrooms'));
  app.replaceChildren(
    topbar(...nav),
    el(
      'main',
      { class: 'dashboard' },
      el(
        'div',
        { class: 'dashboard-main' },
        el('section', { class: 'panel grid-panel', 'aria-labelledby': 'grid-title' }, el('h2', { id: 'grid-title' }, 'Students'), toolbar, grid.element),
        detail.element,
      ),
      el(
        'div',
        { class: 'dashboard-side' },
        el('section', { class: 'panel', 'aria-labelledby': 'charts-title' }, el('h2', { id: 'charts-title' }, 'Progress'), charts),
        announcements.element,
        el('section', { class: 'panel', 'aria-labelledby': 'join-title' }, el('h2', { id: 'join-title' }, 'Join'), joinDisplay(view.classroom)),
        manage,
      ),
    ),
  );
  renderGrid();
  renderCharts();

  const onStudent = (update: { classroomId: string; student: DashboardStudentView }) => {
    if (update.classroomId !== classroomId) return;
    students.set(update.student.learnerId, update.student);
    detail.update(update.student);
    scheduleRender();
  };
  // After a reconnect (server restart, network), the dashboard is opened again: the state is the server's.
  let disconnected = false;
  const onDisconnect = () => {
    disconnected = true;
    connection.textContent = 'reconnecting…';
    connection.dataset.state = 'reconnecting';
  };
  const onConnect = () => {
    if (!disconnected) return;
    disconnected = false;
    void openDashboard(ctx, classroomId).then((fresh) => {
      view = fresh;
      clockOffset = fresh.now - Date.now();
      students.clear();
      for (const s of fresh.students) students.set(s.learnerId, s);
      announcements.reset(fresh.announcements);
      connection.textContent = 'live';
      connection.dataset.state = 'connected';
      scheduleRender();
    }, () => undefined);
  };
  events.on('dashboard:student', onStudent);
  events.on('disconnect', onDisconnect);
  events.on('connect', onConnect);
  const clock = setInterval(() => tickClocks(app, serverNow()), 1000);
  return {
    dispose() {
      clearInterval(clock);
      cancelAnimationFrame(frame);
      events.off('dashboard:student', onStudent);
      events.off('disconnect', onDisconnect);
      events.off('connect', onConnect);
      detail.dispose();
    },
  };
}

function openDashboard(ctx: AppContext, classroomId: string): Promise<DashboardView> {
  return new Promise((resolve, reject) => {
    const ask = () =>
      ctx.events.timeout(15_000).emit('dashboard:open', { classroomId }, (err, answer) => {
        if (err) return reject(new Error('The server did not answer. Reload the page to try again.'));
        if (!answer.ok) return reject(new Error(answer.error.message));
        resolve(answer.value);
      });
    if (ctx.events.connected) ask();
    else ctx.events.once('connect', ask);
  });
}

/** Broadcast to every student's lab page; the sent ones are listed, newest first. */
function announcementBox(ctx: AppContext, classroomId: string, initial: AnnouncementView[]) {
  const text = el('textarea', { id: 'announcement-text', maxlength: String(ANNOUNCEMENT_MAX), rows: '3', 'aria-describedby': 'announcement-count' });
  const count = el('span', { id: 'announcement-count', class: 'field-help' }, `0 / ${ANNOUNCEMENT_MAX} characters`);
  const status = el('p', { class: 'form-status', role: 'status' });
  const sent = el('ol', { class: 'sent-announcements', 'aria-label': 'Sent announcements, newest first' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Send to all students');
  text.addEventListener('input', () => (count.textContent = `${text.value.length} / ${ANNOUNCEMENT_MAX} characters`));
  const item = (a: AnnouncementView) => el('li', {}, el('time', { datetime: new Date(a.at).toISOString() }, formatClock(a.at)), ' ', a.text);
  const reset = (list: AnnouncementView[]) => sent.replaceChildren(...[...list].sort((a, b) => b.at - a.at).map(item));
  reset(initial);
  const form = el(
    'form',
    { class: 'panel announcement-form', 'aria-labelledby': 'announce-title' },
    el('h2', { id: 'announce-title' }, 'Announcement'),
    el('div', { class: 'field' }, el('label', { for: text.id }, 'Message to every student’s lab page'), text, count),
    el('div', { class: 'actions' }, submit),
    status,
    sent,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const message = text.value.trim();
    if (!message) {
      status.textContent = 'Write a message first.';
      return text.focus();
    }
    submit.disabled = true;
    ctx.events.timeout(10_000).emit('classroom:announce', { classroomId, text: message }, (err, answer) => {
      submit.disabled = false;
      if (err) return void (status.textContent = 'The server did not answer. Try again.');
      if (!answer.ok) return void (status.textContent = answer.error.message);
      status.textContent = 'Sent.';
      text.value = '';
      count.textContent = `0 / ${ANNOUNCEMENT_MAX} characters`;
      sent.prepend(item(answer.value));
    });
  });
  return { element: form, reset };
}

/** Gradebook downloads and closing the classroom. */
function manageBox(classroomId: string, view: DashboardView): HTMLElement {
  const base = `/api/classrooms/${encodeURIComponent(classroomId)}`;
  const status = el('p', { class: 'form-status', role: 'status' });
  const close = el('button', { type: 'button', class: 'danger' }, 'Close the classroom');
  const closed = (at: number) => {
    close.disabled = true;
    status.textContent = `Closed at ${formatClock(at)}: nobody can join, and students’ sessions have ended.`;
  };
  if (view.classroom.closedAt) closed(view.classroom.closedAt);
  close.addEventListener('click', () => {
    if (!confirm(`Close “${view.classroom.name}”? Nobody can join any more and every student’s session ends. Their work and grades stay.`)) return;
    close.disabled = true;
    postJson(`${base}/close`).then(
      () => closed(Date.now()),
      (err: unknown) => {
        close.disabled = false;
        status.textContent = errorMessage(err);
      },
    );
  });
  return el(
    'section',
    { class: 'panel', 'aria-labelledby': 'manage-title' },
    el('h2', { id: 'manage-title' }, 'Gradebook'),
    el(
      'div',
      { class: 'actions' },
      el('a', { href: `${base}/gradebook.csv`, download: '', class: 'button-link' }, 'Download CSV'),
      el('a', { href: `${base}/gradebook.json`, download: '', class: 'button-link' }, 'Download JSON'),
    ),
    el('div', { class: 'actions' }, close),
    status,
  );
}

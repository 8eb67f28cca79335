import { useState } from 'preact/hooks';
import type { CalendarEvent } from '../protocol.js';
import type { State } from '../store.js';
import {
  addDays,
  dateInputValue,
  localDateTime,
  minutesOfDay,
  mondayOf,
  sameDay,
  weekDays,
} from '../week.js';
import { inputValue, QuickAdd, shortTime } from './common.js';
import { useApp } from './context.js';

/** The hours the week grid shows; events outside are pinned to its edges. */
const FIRST_HOUR = 7;
const LAST_HOUR = 21;
const HOUR_PX = 36;

export function CalendarView({ state }: { state: State }) {
  const app = useApp();
  const calendar = state.calendars.find((c) => c.id === state.route.id);
  const monday = new Date(state.weekStart);
  const week = (d: Date): void => void app.guard(app.showWeek(d.getTime()));
  return (
    <div class="calendar-view">
      <div class="toolbar">
        <select
          aria-label="Calendar"
          value={state.route.id ?? ''}
          onChange={(e) => app.navigate('calendar', (e.currentTarget as HTMLSelectElement).value)}
        >
          {!state.route.id && <option value="">Choose a calendar</option>}
          {state.calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.access === 'owner' ? '' : ` (${c.access})`}
            </option>
          ))}
        </select>
        <QuickAdd
          placeholder="New calendar name"
          label="Create calendar"
          onAdd={(name) => void app.guard(app.createCalendar(name))}
        />
        {calendar?.access === 'owner' && (
          <QuickAdd
            placeholder="User id to share with"
            label="Share"
            onAdd={(userId) => void app.guard(app.shareCalendar(calendar.id, userId))}
          />
        )}
      </div>
      <div class="toolbar">
        <button type="button" onClick={() => week(addDays(monday, -7))}>
          ‹ Previous
        </button>
        <button type="button" onClick={() => week(mondayOf(new Date()))}>
          This week
        </button>
        <button type="button" onClick={() => week(addDays(monday, 7))}>
          Next ›
        </button>
        <strong>{weekLabel(monday)}</strong>
      </div>
      {calendar ? (
        <>
          <WeekGrid state={state} monday={monday} canEdit={calendar.access !== 'read'} />
          {calendar.access !== 'read' && <NewEvent calendarId={calendar.id} monday={monday} />}
        </>
      ) : (
        <p class="muted">No calendar open.</p>
      )}
    </div>
  );
}

/** "30 Nov – 6 Dec 2026". */
function weekLabel(monday: Date): string {
  const sunday = addDays(monday, 6);
  const day = (d: Date): string => d.toLocaleDateString([], { day: 'numeric', month: 'short' });
  return `${day(monday)} – ${day(sunday)} ${sunday.getFullYear()}`;
}

function WeekGrid({ state, monday, canEdit }: { state: State; monday: Date; canEdit: boolean }) {
  const app = useApp();
  const events = Object.values(state.calendarEvents).sort((a, b) =>
    a.startsAt.localeCompare(b.startsAt),
  );
  const hours = Array.from({ length: LAST_HOUR - FIRST_HOUR }, (_, i) => FIRST_HOUR + i);
  const today = new Date();

  /** Top and height of a timed event in its day's column, clamped to the grid. */
  const box = (e: CalendarEvent): { top: number; height: number } => {
    const clamp = (m: number): number =>
      Math.min(Math.max(m, FIRST_HOUR * 60), LAST_HOUR * 60) - FIRST_HOUR * 60;
    const start = clamp(minutesOfDay(new Date(e.startsAt)));
    const end = sameDay(new Date(e.startsAt), new Date(e.endsAt))
      ? clamp(minutesOfDay(new Date(e.endsAt)))
      : (LAST_HOUR - FIRST_HOUR) * 60;
    const px = HOUR_PX / 60;
    return { top: start * px, height: Math.max((end - start) * px, 18) };
  };

  return (
    <div class="week" style={{ '--hour': `${HOUR_PX}px` }}>
      <div class="hours">
        <div class="day-head" />
        {hours.map((h) => (
          <div key={h} class="hour muted">
            {String(h).padStart(2, '0')}:00
          </div>
        ))}
      </div>
      {weekDays(monday).map((day) => {
        const ofDay = events.filter((e) => sameDay(new Date(e.startsAt), day));
        return (
          <div key={day.getTime()} class={sameDay(day, today) ? 'day today' : 'day'}>
            <div class="day-head">
              {day.toLocaleDateString([], { weekday: 'short', day: 'numeric' })}
              {ofDay
                .filter((e) => e.allDay)
                .map((e) => (
                  <div key={e.id} class="event all-day" data-testid="event">
                    {e.title}
                  </div>
                ))}
            </div>
            <div class="slots" style={{ height: `${hours.length * HOUR_PX}px` }}>
              {ofDay
                .filter((e) => !e.allDay)
                .map((e) => {
                  const { top, height } = box(e);
                  return (
                    <div
                      key={e.id}
                      class="event"
                      style={{ top: `${top}px`, height: `${height}px` }}
                      data-testid="event"
                      title={`${shortTime(e.startsAt)}–${shortTime(e.endsAt)} ${e.title}`}
                    >
                      <span>
                        {shortTime(e.startsAt)} {e.title}
                      </span>
                      {canEdit && (
                        <button
                          type="button"
                          class="link"
                          aria-label={`Delete ${e.title}`}
                          onClick={() => void app.guard(app.deleteEvent(e))}
                        >
                          ✕
                        </button>
                      )}
                    </div>
                  );
                })}
            </div>
          </div>
        );
      })}
    </div>
  );
}

function NewEvent({ calendarId, monday }: { calendarId: string; monday: Date }) {
  const app = useApp();
  const today = new Date();
  const inWeek = today >= monday && today < addDays(monday, 7);
  const [form, setForm] = useState({
    title: '',
    date: dateInputValue(inWeek ? today : monday),
    start: '10:00',
    end: '11:00',
  });
  const set = (name: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [name]: inputValue(e) });
  const submit = (e: Event): void => {
    e.preventDefault();
    const startsAt = localDateTime(form.date, form.start);
    const endsAt = localDateTime(form.date, form.end);
    if (endsAt <= startsAt) return app.notify('An event ends after it starts');
    void app.guard(app.createEvent(calendarId, form.title.trim(), startsAt, endsAt));
    setForm({ ...form, title: '' });
  };
  return (
    <form class="new-event" onSubmit={submit}>
      <input
        placeholder="Event title"
        aria-label="Event title"
        required
        value={form.title}
        onInput={set('title')}
      />
      <input type="date" aria-label="Day" required value={form.date} onInput={set('date')} />
      <input type="time" aria-label="Starts" required value={form.start} onInput={set('start')} />
      <input type="time" aria-label="Ends" required value={form.end} onInput={set('end')} />
      <button type="submit" class="primary">
        Add event
      </button>
    </form>
  );
}

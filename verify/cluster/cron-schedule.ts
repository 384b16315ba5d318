/**
 * When a five-field cron schedule (the form site.backups.schedule allows: numbers, ranges, lists,
 * steps, `*`) last fired before a moment, in UTC as the CronJob's timeZone says. Day-of-month and
 * day-of-week follow cron: when both are restricted, a day matching either runs.
 */
import { cronFieldValues, isCronSchedule } from '../../site';

interface Field { readonly values: ReadonlySet<number>; readonly any: boolean }

/** The site's own expansion of a field (site/primitives.ts), and whether it is a star (cron's day rule needs that). */
function parseField(text: string, index: number): Field {
  return { values: cronFieldValues(text, index), any: text.startsWith('*') };
}

export interface CronSchedule {
  /** The day (UTC) is one the schedule runs on. */
  day(date: Date): boolean;
  hour(date: Date): boolean;
  minute(date: Date): boolean;
}

export function parseCron(schedule: string): CronSchedule {
  if (!isCronSchedule(schedule)) throw new Error(`"${schedule}" is not a five-field cron schedule of numbers, ranges, lists, steps or *`);
  const [minute, hour, dom, month, dow] = schedule.trim().split(/\s+/).map(parseField);
  return {
    day: (d) => {
      if (!month.values.has(d.getUTCMonth() + 1)) return false;
      const byDom = dom.values.has(d.getUTCDate());
      const weekday = d.getUTCDay();
      const byDow = dow.values.has(weekday) || (weekday === 0 && dow.values.has(7));
      if (dom.any || dow.any) return (dom.any || byDom) && (dow.any || byDow);
      return byDom || byDow;
    },
    hour: (d) => hour.values.has(d.getUTCHours()),
    minute: (d) => minute.values.has(d.getUTCMinutes()),
  };
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A schedule that has not fired in this long never will (e.g. 30 February). */
const LOOK_BACK_MS = 5 * 366 * 24 * HOUR_MS;

/** The latest time at or before `moment` that the schedule fires; undefined when none within five years. */
export function previousRun(schedule: CronSchedule | string, moment: Date): Date | undefined {
  const cron = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  let t = Math.floor(moment.getTime() / MINUTE_MS) * MINUTE_MS;
  const stop = t - LOOK_BACK_MS;
  while (t >= stop) {
    const d = new Date(t);
    // A day or hour that cannot match is skipped whole: back to the last minute before it.
    if (!cron.day(d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - MINUTE_MS;
    } else if (!cron.hour(d)) {
      t = Math.floor(t / HOUR_MS) * HOUR_MS - MINUTE_MS;
    } else if (!cron.minute(d)) {
      t -= MINUTE_MS;
    } else {
      return d;
    }
  }
  return undefined;
}

/** The next time after `moment` that the schedule fires (for messages); undefined when none within five years. */
export function nextRun(schedule: CronSchedule | string, moment: Date): Date | undefined {
  const cron = typeof schedule === 'string' ? parseCron(schedule) : schedule;
  let t = (Math.floor(moment.getTime() / MINUTE_MS) + 1) * MINUTE_MS;
  const stop = t + LOOK_BACK_MS;
  while (t <= stop) {
    const d = new Date(t);
    if (!cron.day(d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    } else if (!cron.hour(d)) {
      t = (Math.floor(t / HOUR_MS) + 1) * HOUR_MS;
    } else if (!cron.minute(d)) {
      t += MINUTE_MS;
    } else {
      return d;
    }
  }
  return undefined;
}

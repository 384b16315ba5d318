/** When the backup schedule last fired: what the etcd-backup check measures the last success against. */
import { nextRun, previousRun } from '../../verify/cluster/cron-schedule';

const at = (iso: string) => new Date(iso);

describe('previousRun', () => {
  test('a daily schedule fired at today\'s time once it has passed, else yesterday\'s', () => {
    expect(previousRun('0 2 * * *', at('2026-12-02T10:00:00Z'))).toEqual(at('2026-12-02T02:00:00Z'));
    expect(previousRun('0 2 * * *', at('2026-12-02T01:59:59Z'))).toEqual(at('2026-12-01T02:00:00Z'));
    expect(previousRun('0 2 * * *', at('2026-12-02T02:00:00Z'))).toEqual(at('2026-12-02T02:00:00Z'));
  });

  test('a Monday-to-Saturday schedule (the second site\'s) last fired on Saturday when asked on Monday morning', () => {
    // 2026-12-07 is a Monday.
    expect(previousRun('30 3 * * 1-6', at('2026-12-07T03:00:00Z'))).toEqual(at('2026-12-05T03:30:00Z'));
  });

  test('steps and lists in minutes and hours', () => {
    expect(previousRun('*/15 * * * *', at('2026-12-02T10:44:00Z'))).toEqual(at('2026-12-02T10:30:00Z'));
    expect(previousRun('5 1,13 * * *', at('2026-12-02T12:00:00Z'))).toEqual(at('2026-12-02T01:05:00Z'));
  });

  test('day of month and day of week both restricted: a day matching either fires (cron\'s rule)', () => {
    // The 1st of the month or any Sunday; 2026-12-06 is a Sunday, after 2026-12-01.
    expect(previousRun('0 0 1 * 0', at('2026-12-07T12:00:00Z'))).toEqual(at('2026-12-06T00:00:00Z'));
    expect(previousRun('0 0 1 * 7', at('2026-12-05T12:00:00Z'))).toEqual(at('2026-12-01T00:00:00Z'));
  });

  test('a schedule that never fires (30 February) gives undefined', () => {
    expect(previousRun('0 0 30 2 *', at('2026-12-02T00:00:00Z'))).toBeUndefined();
  });
});

describe('nextRun', () => {
  test('the next daily run after a moment', () => {
    expect(nextRun('0 2 * * *', at('2026-12-02T10:00:00Z'))).toEqual(at('2026-12-03T02:00:00Z'));
    expect(nextRun('30 3 * * 1-6', at('2026-12-05T04:00:00Z'))).toEqual(at('2026-12-07T03:30:00Z'));
  });
});

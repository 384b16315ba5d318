/** The problems the site validator reports for an input (none when it is accepted), in-process. */
import { parseSite, SiteError, type SiteProblem } from '../../site';

export function siteProblems(input: unknown): SiteProblem[] {
  try {
    parseSite(input);
    return [];
  } catch (err) {
    if (!(err instanceof SiteError)) throw err;
    return [...err.problems];
  }
}

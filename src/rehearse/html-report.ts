/**
 * The self-contained HTML rendering of a rehearsal report (`rehearse -o html`): summary, findings,
 * per-Application changes and the sync timeline drawn (waves and hooks over time, health per
 * Application). No external assets: one file a CI job can attach as an artifact.
 *
 * CONTRACT (the rehearsal calls this; the implementation lands on branch rehearse-findings).
 */

import { RehearsalReport } from './report';

export function renderHtml(report: RehearsalReport): string {
  void report;
  throw new Error('renderHtml: not implemented yet (branch rehearse-findings)');
}

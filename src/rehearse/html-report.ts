/**
 * The self-contained HTML rendering of a rehearsal report (`rehearse -o html`): summary, findings,
 * per-Application changes and the sync timeline drawn (waves and hooks over time, health per
 * Application). No external assets: one file a CI job can attach as an artifact.
 *
 * Everything from the report is user text (object names, diffs, messages) and goes through
 * `esc`. The only script is ours, allowed by its hash in the Content-Security-Policy, so even a
 * markup that slipped through escaping could not run script, and `default-src 'none'` keeps the
 * page off the network.
 */

import { createHash } from 'crypto';
import {
  ApplicationRehearsal, ApplicationSetRehearsal, FindingSeverity, RehearsalFinding, RehearsalReport, RehearsalResource,
  RehearsalTimelineStep, TimelineStepKind,
} from './report';

/** Escapes text for HTML content and quoted attribute values (SVG included). */
export function esc(text: unknown): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Colour class of a result or health: succeeded/healthy green, failed/degraded red, waiting amber. */
function tone(result: string): string {
  const r = result.toLowerCase();
  if (['succeeded', 'healthy', 'synced'].includes(r)) return 'ok';
  if (['failed', 'error', 'degraded', 'syncfailed'].includes(r)) return 'bad';
  if (['running', 'progressing', 'suspended', 'outofsync', 'terminating'].includes(r)) return 'wait';
  return 'none';
}

function describeResource(r: RehearsalResource): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function resourceItem(r: RehearsalResource): string {
  return `<li><code>${esc(describeResource(r))}</code>${r.source ? ` <span class="src">${esc(r.source)}</span>` : ''}</li>`;
}

function resourceList(title: string, cls: string, items: readonly RehearsalResource[]): string {
  if (items.length === 0) {
    return '';
  }
  return `<h4 class="${cls}">${esc(title)} (${items.length})</h4><ul class="res ${cls}">${items.map(resourceItem).join('')}</ul>`;
}

function diffHtml(diff: string): string {
  const lines = diff.split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'fh' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '';
    return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
  });
  return `<pre class="diff">${lines.join('\n')}</pre>`;
}

const SEVERITY_LABEL: Record<string, string> = {
  [FindingSeverity.FAILURE]: 'predicted failure',
  [FindingSeverity.DANGER]: 'danger',
  [FindingSeverity.NEVER_SETTLES]: 'never settles',
};

function findingItem(f: RehearsalFinding, withApp: boolean): string {
  const where = [
    withApp ? `<span class="app-name">${esc(f.application)}</span>` : '',
    f.resource ? `<code>${esc(describeResource(f.resource))}</code>` : '',
    f.resource?.source ? `<span class="src">${esc(f.resource.source)}</span>` : '',
    f.path ? `<code class="path">${esc(f.path)}</code>` : '',
  ].filter((s) => s).join(' ');
  return `<li class="finding ${esc(f.severity)}"><span class="sev">${esc(SEVERITY_LABEL[f.severity] ?? f.severity)}</span> `
    + `<span class="kind">${esc(f.kind)}</span> ${where}<div class="msg">${esc(f.message)}</div></li>`;
}

const SEVERITY_ORDER = [FindingSeverity.FAILURE, FindingSeverity.DANGER, FindingSeverity.NEVER_SETTLES];

function sortedFindings(fs: readonly RehearsalFinding[]): RehearsalFinding[] {
  return [...fs].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}

function summary(report: RehearsalReport): string {
  const s = report.summary;
  const side = (r: RehearsalReport['base']) => `${esc(r.ref)} <code>${esc(short(r.sha))}</code>${r.dirty ? ' (uncommitted changes)' : ''}`;
  const counts: Array<[string, number, string]> = [
    ['Applications', s.applications, ''], ['created', s.created, ''], ['changed', s.changed, ''], ['pruned', s.pruned, ''],
    ['require pruning', s.requirePruning, ''], ['predicted failures', s.failures, s.failures ? 'bad' : ''],
    ['dangers', s.dangers, s.dangers ? 'bad' : ''], ['never settling', s.neverSettling, s.neverSettling ? 'wait' : ''],
  ];
  const all = report.applications.flatMap((a) => a.findings);
  const top = sortedFindings(all.filter((f) => f.severity !== FindingSeverity.NEVER_SETTLES));
  const verdict = report.outcome === 'Succeeded'
    ? 'The merge is predicted to sync successfully, with no danger sign.'
    : `The merge is predicted to ${s.failures ? 'fail' : 'succeed, with danger signs'}.`;
  return `<section id="summary">
<h1>Rehearsal <span class="outcome ${report.outcome === 'Succeeded' ? 'ok' : 'bad'}">${esc(report.outcome)}</span></h1>
<p class="revs">${side(report.base)} → ${side(report.head)} · rehearsed in ${esc(seconds(report.durationMs))} · exit code ${esc(report.exitCode)}</p>
<p class="verdict">${esc(verdict)}</p>
<dl class="counts">${counts.map(([k, v, cls]) => `<div class="${cls}"><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
${top.length ? `<h2>Failures and dangers</h2><ul class="findings">${top.map((f) => findingItem(f, true)).join('')}</ul>` : ''}
</section>`;
}

// ---- the timeline ------------------------------------------------------------------------------

const LABEL_W = 220;
const CHART_W = 720;
const ROW_H = 28;
const AXIS_H = 24;

/** A tick step of 1, 2 or 5 × 10^n milliseconds giving about six ticks. */
function tickStep(total: number): number {
  const raw = Math.max(total / 6, 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function stepTip(s: RehearsalTimelineStep): string {
  const what = s.kind === TimelineStepKind.HOOK ? `hook ${s.name}` : s.kind === TimelineStepKind.WAVE ? `wave ${s.wave}: ${s.name}` : `${s.kind} (wave ${s.wave}): ${s.name}`;
  return [
    `${s.application} · ${s.phase} · ${what}`,
    `${seconds(s.startMs)} → ${seconds(s.endMs)} (${seconds(Math.max(0, s.endMs - s.startMs))}) · ${s.result}`,
    s.simulated ? `simulated: ${s.simulated}` : '',
  ].filter((l) => l).join('\n');
}

function timeline(report: RehearsalReport): string {
  const steps = report.timeline;
  const rows: string[] = [];
  for (const s of steps) {
    if (!rows.includes(s.application)) rows.push(s.application);
  }
  for (const a of report.applications) {
    if (!rows.includes(a.name)) rows.push(a.name);
  }
  if (rows.length === 0) {
    return '<section id="timeline"><h2>Timeline</h2><p>Nothing was synced.</p></section>';
  }
  const total = Math.max(1, ...steps.map((s) => s.endMs));
  const x = (ms: number) => LABEL_W + (Math.max(0, ms) / total) * CHART_W;
  const height = AXIS_H + rows.length * ROW_H + 8;
  const width = LABEL_W + CHART_W + 20;
  const health = new Map(report.applications.map((a) => [a.name, a]));
  const step = tickStep(total);
  const ticks: string[] = [];
  for (let t = 0; t <= total; t += step) {
    ticks.push(`<line class="tick" x1="${x(t)}" x2="${x(t)}" y1="${AXIS_H - 4}" y2="${height - 8}"/>`
      + `<text class="tick-label" x="${x(t)}" y="${AXIS_H - 8}" text-anchor="middle">${esc(seconds(t))}</text>`);
  }
  const rowSvg = rows.map((name, i) => {
    const y = AXIS_H + i * ROW_H;
    const app = health.get(name);
    const h = app?.healthStatus ?? 'Unknown';
    const label = name.length > 24 ? `${name.slice(0, 23)}…` : name;
    return `<g class="row" data-app="${esc(name)}">`
      + `<rect class="row-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${width}" height="${ROW_H}"/>`
      + `<circle class="health ${tone(h)}" cx="10" cy="${y + ROW_H / 2}" r="5"><title>${esc(`${name}: ${h}${app ? `, ${app.syncStatus}` : ''}`)}</title></circle>`
      + `<text class="row-label" x="22" y="${y + ROW_H / 2 + 4}">${esc(label)}<title>${esc(`${name} — health ${h}`)}</title></text>`
      + `<text class="row-health ${tone(h)}" x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${esc(h)}</text>`
      + '</g>';
  }).join('');
  const bars = steps.map((s, i) => {
    const row = rows.indexOf(s.application);
    const y = AXIS_H + row * ROW_H + 5;
    const x0 = x(s.startMs);
    const w = Math.max(3, x(s.endMs) - x0);
    const tip = stepTip(s);
    const label = s.kind === TimelineStepKind.HOOK ? s.name : s.kind === TimelineStepKind.WAVE ? `W${s.wave}` : s.kind;
    const text = w > 8 * label.length ? `<text class="bar-label" x="${x0 + 4}" y="${y + 13}">${esc(label)}</text>` : '';
    return `<g class="step ${esc(s.kind)}${s.simulated ? ' simulated' : ''}" data-step="${i}" data-tip="${esc(tip)}">`
      + `<title>${esc(tip)}</title>`
      + `<rect class="bar ${tone(s.result)}" x="${x0}" y="${y}" width="${w}" height="${ROW_H - 10}" rx="3"/>`
      + (s.simulated ? `<rect class="hatch" x="${x0}" y="${y}" width="${w}" height="${ROW_H - 10}" rx="3"/>` : '')
      + text + '</g>';
  }).join('');
  return `<section id="timeline"><h2>Timeline</h2>
<p class="legend"><span class="key ok"></span>succeeded / healthy <span class="key bad"></span>failed / degraded <span class="key wait"></span>running / progressing <span class="key none"></span>other <span class="key sim"></span>simulated on the local cluster (hover for why)</p>
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Sync timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-opacity="0.35" stroke-width="2.5"/></pattern></defs>
${rowSvg}${ticks.join('')}${bars}
</svg></section>`;
}

// ---- per Application ---------------------------------------------------------------------------

function applicationSection(a: ApplicationRehearsal, i: number): string {
  const counts = [
    a.created.length ? `${a.created.length} created` : '', a.changed.length ? `${a.changed.length} changed` : '',
    a.pruned.length ? `${a.pruned.length} pruned` : '', a.requirePruning.length ? `${a.requirePruning.length} require pruning` : '',
    a.findings.length ? plural(a.findings.length, 'finding') : '',
  ].filter((c) => c).join(', ') || 'no change';
  const bad = a.findings.some((f) => f.severity !== FindingSeverity.NEVER_SETTLES);
  const changed = a.changed.length === 0 ? '' : `<h4 class="changed">Changed (${a.changed.length})</h4>`
    + a.changed.map((c) => `<details class="diff"><summary><code>${esc(describeResource(c))}</code>${c.source ? ` <span class="src">${esc(c.source)}</span>` : ''}</summary>${diffHtml(c.diff)}</details>`).join('');
  return `<details class="app${bad ? ' has-findings' : ''}" id="app-${i}" data-app="${esc(a.name)}"${bad ? ' open' : ''}>
<summary><span class="app-name">${esc(a.name)}</span> <span class="change">${esc(a.change)}</span>`
    + ` <span class="pill ${tone(a.outcome)}">${esc(a.outcome)}</span> <span class="pill ${tone(a.syncStatus)}">${esc(a.syncStatus)}</span>`
    + ` <span class="pill ${tone(a.healthStatus)}">${esc(a.healthStatus)}</span> <span class="counts-line">${esc(counts)}</span></summary>
<p class="meta">project <code>${esc(a.project)}</code> · ${a.automated ? 'automated sync' : 'manual sync (the merge leaves it OutOfSync)'}${a.message ? ` · ${esc(a.message)}` : ''}</p>
${a.findings.length ? `<ul class="findings">${sortedFindings(a.findings).map((f) => findingItem(f, false)).join('')}</ul>` : ''}
${resourceList('Created', 'created', a.created)}${changed}${resourceList('Pruned', 'pruned', a.pruned)}${resourceList('Require pruning (not pruned)', 'require', a.requirePruning)}
</details>`;
}

function applicationSets(sets: readonly ApplicationSetRehearsal[]): string {
  if (sets.length === 0) {
    return '';
  }
  const names = (xs: readonly string[]) => (xs.length ? xs.map((x) => `<code>${esc(x)}</code>`).join(', ') : '—');
  const rows = sets.map((s) => `<tr><td><code>${esc(s.name)}</code></td><td>${names(s.added)}</td><td>${names(s.removed)}</td><td>${s.rollingSteps.length
    ? `<ol>${s.rollingSteps.map((st) => `<li>${names(st)}</li>`).join('')}</ol>` : '—'}</td></tr>`).join('');
  return `<section id="applicationsets"><h2>ApplicationSets</h2><table><thead><tr><th>ApplicationSet</th><th>Applications added</th><th>removed</th><th>RollingSync steps</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

// ---- page --------------------------------------------------------------------------------------

const STYLE = `
:root{--ok:#1a7f37;--bad:#cf222e;--wait:#bf8700;--none:#8c959f;--fg:#1f2328;--muted:#656d76;--bg:#fff;--line:#d0d7de}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1040px;padding:16px 24px 48px}
h1{font-size:24px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h4{margin:12px 0 4px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.outcome{font-size:15px;vertical-align:middle;padding:2px 10px;border-radius:12px;color:#fff}.outcome.ok{background:var(--ok)}.outcome.bad{background:var(--bad)}
.revs,.meta,.src{color:var(--muted)}.src{font-size:12px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.counts div{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:96px}
.counts dt{font-size:12px;color:var(--muted)}.counts dd{margin:0;font-size:20px;font-weight:600}.counts .bad dd{color:var(--bad)}.counts .wait dd{color:var(--wait)}
ul.findings{list-style:none;padding:0}.finding{border-left:4px solid var(--none);padding:4px 10px;margin:6px 0;background:#f6f8fa}
.finding.failure{border-color:var(--bad)}.finding.danger{border-color:var(--wait)}.finding.never-settles{border-color:var(--none)}
.sev{font-weight:600;text-transform:uppercase;font-size:11px}.failure .sev{color:var(--bad)}.danger .sev{color:var(--wait)}.kind{font-weight:600}.msg{margin-top:2px}
details.app{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:0 12px}details.app>summary{cursor:pointer;padding:8px 0;font-weight:600}
details.app.has-findings{border-color:var(--bad)}.app-name{font-weight:600}.change{color:var(--muted);font-weight:400}.counts-line{color:var(--muted);font-weight:400;margin-left:6px}
.pill{display:inline-block;font-size:11px;font-weight:600;padding:0 8px;border-radius:10px;color:#fff;background:var(--none)}
.pill.ok{background:var(--ok)}.pill.bad{background:var(--bad)}.pill.wait{background:var(--wait)}
details.diff{margin:4px 0}details.diff>summary{cursor:pointer}
pre.diff{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;white-space:pre}
pre.diff .add{color:var(--ok);background:#dafbe1;display:inline-block;width:100%}pre.diff .del{color:var(--bad);background:#ffebe9;display:inline-block;width:100%}
pre.diff .hunk{color:#0550ae}pre.diff .fh{font-weight:600}
ul.res{margin:0;padding-left:20px}
table{border-collapse:collapse;width:100%}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}td ol{margin:0;padding-left:18px}
#timeline svg{max-width:100%;height:auto;font:12px system-ui,sans-serif}
.row-bg{fill:#fff}.row-bg.odd{fill:#f6f8fa}.row-label{fill:var(--fg)}.row-health{font-size:11px}.tick{stroke:var(--line);stroke-dasharray:2 3}.tick-label{fill:var(--muted);font-size:11px}
.health.ok,.bar.ok{fill:var(--ok)}.health.bad,.bar.bad{fill:var(--bad)}.health.wait,.bar.wait{fill:var(--wait)}.health.none,.bar.none{fill:var(--none)}
.row-health.ok{fill:var(--ok)}.row-health.bad{fill:var(--bad)}.row-health.wait{fill:var(--wait)}.row-health.none{fill:var(--muted)}
.hatch{fill:url(#hatch);pointer-events:none}.step{cursor:default}.step:hover .bar{stroke:#000;stroke-width:1.5}.bar-label{fill:#fff;font-size:11px;pointer-events:none}
.legend{color:var(--muted);font-size:12px}.key{display:inline-block;width:14px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:middle;background:var(--none)}
.key.ok{background:var(--ok)}.key.bad{background:var(--bad)}.key.wait{background:var(--wait)}.key.sim{background:repeating-linear-gradient(45deg,var(--ok) 0 3px,#0b4d22 3px 5px)}
#tip{position:fixed;display:none;max-width:420px;white-space:pre-line;background:#1f2328;color:#fff;font-size:12px;padding:6px 8px;border-radius:6px;pointer-events:none;z-index:10}
.toolbar{margin:8px 0}.toolbar button{font:inherit;font-size:12px;margin-right:6px}
`;

// Ours only: reads the DOM, never report data, so nothing user-written is ever evaluated.
const SCRIPT = `
(function(){
  var tip=document.getElementById('tip');
  document.querySelectorAll('#timeline .step').forEach(function(g){
    g.addEventListener('mousemove',function(e){tip.textContent=g.getAttribute('data-tip');tip.style.display='block';
      tip.style.left=Math.min(e.clientX+12,window.innerWidth-430)+'px';tip.style.top=(e.clientY+14)+'px';});
    g.addEventListener('mouseleave',function(){tip.style.display='none';});
  });
  function all(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
  document.getElementById('expand-all').addEventListener('click',function(){all(true);});
  document.getElementById('collapse-all').addEventListener('click',function(){all(false);});
})();
`;

export function renderHtml(report: RehearsalReport): string {
  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  const title = `Rehearsal ${report.outcome}: ${report.base.ref} → ${report.head.ref}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${summary(report)}
${timeline(report)}
<section id="applications"><h2>Applications</h2>
<div class="toolbar"><button type="button" id="expand-all">Expand all</button><button type="button" id="collapse-all">Collapse all</button></div>
${report.applications.map(applicationSection).join('\n') || '<p>No Application.</p>'}
</section>
${applicationSets(report.applicationSets)}
<div id="tip" role="tooltip"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * `npx ts-node --transpile-only --project test/tsconfig.json bench/appset-expand.ts [--runs N]`:
 * offline ApplicationSet expansion time (Go templates with Sprig functions, list generator) for
 * 1 set × 1,000 elements and 100 sets × 10 elements, in this process. Prints the median of N runs
 * after one warm-up (the warm-up also pays one-time costs such as compiling WebAssembly, shown
 * separately as "first run").
 */
import { performance } from 'perf_hooks';
import { expandApplicationSet } from '../src/engine/appset';

const args = process.argv.slice(2).filter(a => a !== '--');
const runsIndex = args.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 5;

function appSet(name: string, elements: number): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{
        list: {
          elements: Array.from({ length: elements }, (_, i) => ({
            cluster: `cluster-${i}`, url: `https://10.0.${Math.floor(i / 250)}.${i % 250}`, env: ['dev', 'staging', 'prod'][i % 3], replicas: i % 5,
          })),
        },
      }],
      template: {
        metadata: {
          name: `{{ .cluster | normalize }}-${name}`,
          labels: { env: '{{ .env }}', team: '{{ .env | upper | trunc 3 }}' },
          annotations: { note: '{{ printf "%s/%d" .cluster (int .replicas) }}' },
        },
        spec: {
          project: '{{ if eq .env "prod" }}production{{ else }}default{{ end }}',
          source: {
            repoURL: 'https://github.com/acme/gitops.git',
            targetRevision: 'HEAD',
            path: 'apps/{{ .env }}',
            helm: { values: '{{ dict "replicas" .replicas "cluster" .cluster | toYaml }}' },
          },
          destination: { server: '{{ .url }}', namespace: '{{ .cluster | slugify }}' },
        },
      },
    },
  };
}

function timeCase(sets: any[]): number {
  const start = performance.now();
  let count = 0;
  for (const set of sets) count += expandApplicationSet(set).applications.length;
  const ms = performance.now() - start;
  if (count !== sets.length * sets[0].spec.generators[0].list.elements.length) throw new Error(`expected every element to render, got ${count}`);
  return ms;
}

const cases: Array<[string, any[]]> = [
  ['1 set × 1,000 elements', [appSet('big', 1000)]],
  ['100 sets × 10 elements', Array.from({ length: 100 }, (_, i) => appSet(`s${i}`, 10))],
];
console.log(`node ${process.version}, ${runs} runs per case (median), after one warm-up run\n`);
console.log('| case | first run | median |');
console.log('|---|---:|---:|');
for (const [label, sets] of cases) {
  const first = timeCase(sets);
  const times = Array.from({ length: runs }, () => timeCase(sets)).sort((a, b) => a - b);
  console.log(`| ${label} | ${first.toFixed(0)} ms | ${times[Math.floor(times.length / 2)].toFixed(0)} ms |`);
}

/**
 * Runs wasm/go-template.wasm — Go's text/template, Sprig and fasttemplate, the libraries Argo CD
 * renders ApplicationSet templates with — synchronously, with a time limit.
 *
 * The WebAssembly instance lives in a worker thread. A call posts the request and blocks this
 * thread with Atomics.wait until the worker signals the answer (then read with
 * receiveMessageOnPort), so callers stay synchronous (`set.expand()` in the constructs) while a
 * template that never finishes (`{{ range until 1000000000 }}`) only costs the time limit: the
 * worker is terminated and the next call starts a fresh one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';

/** Same depth under src/ (ts-node, jest) and lib/ (the package): the package root is three up. */
export const GO_TEMPLATE_WASM = path.join(__dirname, '..', '..', '..', 'wasm', 'go-template.wasm');

/** How long a small render request may take before it is abandoned (larger ones get more). */
export const DEFAULT_RENDER_TIMEOUT_MS = 30_000;
/** Starting the worker: compiling ~12 MB of WebAssembly and Go's runtime initialization. */
const STARTUP_TIMEOUT_MS = 60_000;

/** The renderer did not answer in time, crashed, or could not start. */
export class GoTemplateRuntimeError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'GoTemplateRuntimeError';
  }
}

// The worker's code, evaluated as CommonJS in the worker (a separate file would need a build step
// of its own under ts-node and jest). Slot 0 of `signal` counts started instances, slot 1 answers.
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const fs = require('fs');
// Node 20 flags node:wasi as experimental; the warning would land in every CLI run's output.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String(warning && warning.message || warning).includes('WASI')) return;
  return emitWarning.call(process, warning, ...rest);
};
const { WASI } = require('wasi');
const { port, signal, wasmPath } = workerData;
let module;
let instance;
let startError;
try {
  module = new WebAssembly.Module(fs.readFileSync(wasmPath));
  instance = start();
} catch (e) {
  startError = String(e && e.stack || e);
}
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);

function start() {
  // GOGC=400: Go's collector is single-threaded in WebAssembly and ran every few hundred
  // executions with the default 100; the heap is small, so trading memory for time is cheap.
  const wasi = new WASI({ version: 'preview1', args: [], env: { GOGC: '400' }, returnOnExit: true });
  const created = new WebAssembly.Instance(module, wasi.getImportObject());
  wasi.initialize(created);
  return created;
}

port.on('message', request => {
  let reply;
  try {
    if (startError) throw new Error(startError);
    instance = instance || start();
    const input = Buffer.from(request, 'utf8');
    const at = instance.exports.alloc(input.length);
    new Uint8Array(instance.exports.memory.buffer, at, input.length).set(input);
    const answer = instance.exports.render();
    const start_ = Number(answer >> 32n);
    const length = Number(answer & 0xffffffffn);
    reply = { output: Buffer.from(instance.exports.memory.buffer, start_, length).toString('utf8') };
  } catch (e) {
    // A trap (out of memory, a Go fatal error) leaves the Go runtime unusable: start afresh.
    instance = undefined;
    reply = { crash: String(e && e.message || e) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 1, 1);
  Atomics.notify(signal, 1);
});
`;

interface RunningWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

let running: RunningWorker | undefined;

function startWorker(): RunningWorker {
  if (!fs.existsSync(GO_TEMPLATE_WASM)) {
    throw new GoTemplateRuntimeError(`${GO_TEMPLATE_WASM} is missing: the package was built without it; in a checkout, run \`npx projen build:go-template\` (needs Go)`);
  }
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, signal, wasmPath: GO_TEMPLATE_WASM },
    transferList: [port2],
    // The worker must not keep a CLI process alive, nor print to our stdout.
    stdout: false,
    stderr: false,
  });
  worker.unref();
  port1.unref();
  if (Atomics.wait(signal, 0, 0, STARTUP_TIMEOUT_MS) === 'timed-out') {
    void worker.terminate();
    throw new GoTemplateRuntimeError(`the Go template renderer (${GO_TEMPLATE_WASM}) did not start within ${STARTUP_TIMEOUT_MS / 1000} s`);
  }
  return { worker, port: port1, signal };
}

/**
 * Sends one JSON request to the Go renderer and returns its JSON answer. Throws
 * GoTemplateRuntimeError when it takes longer than `timeoutMs` or crashes.
 */
export function callGoTemplateRenderer(request: string, timeoutMs: number = DEFAULT_RENDER_TIMEOUT_MS): string {
  running = running ?? startWorker();
  const { worker, port, signal } = running;
  Atomics.store(signal, 1, 0);
  port.postMessage(request);
  if (Atomics.wait(signal, 1, 0, timeoutMs) === 'timed-out') {
    running = undefined;
    void worker.terminate();
    throw new GoTemplateRuntimeError(`rendering the templates took longer than ${(timeoutMs / 1000).toFixed(1)} s and was stopped (does a template loop over a huge range?)`);
  }
  const reply = receiveMessageOnPort(port)?.message as { output?: string; crash?: string } | undefined;
  if (reply?.output === undefined) {
    throw new GoTemplateRuntimeError(`the Go template renderer failed: ${reply?.crash ?? 'no answer'}`);
  }
  return reply.output;
}

/**
 * Building Go programs shipped as source with this package (the local control
 * plane in `cluster/`, the Helm/Kustomize renderer in `renderer/`) and caching
 * the binaries outside the repository, keyed by the module's content.
 *
 * Shared by `src/cluster/build.ts` (async, with per-package progress) and
 * `src/engine/load/renderer-binary.ts` (sync: rendering is synchronous).
 */
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type Logger = (message: string) => void;

/** Error with a message meant for the user (no stack trace needed). */
export class GoBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoBuildError';
  }
}

function listGoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...listGoFiles(p));
    } else if (entry.name.endsWith('.go')) {
      out.push(p);
    }
  }
  return out.sort();
}

/** Cache key: short sha256 over go.sum, go.mod and the Go sources under `srcDir` (default `cmd`). */
export function goModuleKey(moduleDir: string, srcDir = 'cmd'): string {
  const h = createHash('sha256');
  const files = [path.join(moduleDir, 'go.sum'), path.join(moduleDir, 'go.mod'), ...listGoFiles(path.join(moduleDir, srcDir))];
  for (const f of files) {
    h.update(path.relative(moduleDir, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** `${XDG_CACHE_HOME:-~/.cache}/cdk8s-argocd/<name>`, or `$envVar` when set. */
export function goBinaryCacheRoot(name: string, envVar: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    return path.resolve(fromEnv);
  }
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'cdk8s-argocd', name);
}

/** `go version`, or a clear error naming Go, what needs it (`purpose`) and the way around it (`alternative`). */
export function requireGo(purpose: string, alternative: string): string {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new GoBuildError(
      `Go is required to build ${purpose}, but 'go' was not found on PATH.\n` +
        `Install Go 1.26 or newer (https://go.dev/dl/) and retry, or ${alternative}.`,
    );
  }
  if (r.status !== 0) {
    throw new GoBuildError(`'go version' failed: ${r.stderr || r.error?.message}`);
  }
  return r.stdout.trim();
}

/** Version of `mod` required in `moduleDir/go.mod`. */
export function requiredVersion(moduleDir: string, mod: string): string {
  const gomod = fs.readFileSync(path.join(moduleDir, 'go.mod'), 'utf8');
  const re = new RegExp(`^\\s*(?:require\\s+)?${mod.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+(v\\S+)`, 'm');
  const m = re.exec(gomod);
  if (!m) {
    throw new GoBuildError(`${path.join(moduleDir, 'go.mod')} does not require ${mod}`);
  }
  return m[1];
}

/**
 * Tries once to take the build lock (a directory holding the owner's pid);
 * clears a lock left by a dead process. Returns the owner's pid when busy.
 */
export function tryTakeBuildLock(lockDir: string): { taken: true } | { taken: false; owner: number } {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return { taken: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
      } catch {
        // pid not written yet
      }
      if (Number.isFinite(owner) && !pidAlive(owner)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      return { taken: false, owner };
    }
  }
}

export function releaseBuildLock(lockDir: string): void {
  fs.rmSync(lockDir, { recursive: true, force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface GoBinarySpec {
  /** Binary file name. */
  readonly name: string;
  /** Go module folder (holds go.mod, go.sum and `cmd/<name>`). */
  readonly moduleDir: string;
  /** Cache root (the binary goes to `<root>/<key>/<name>`). */
  readonly cacheRoot: string;
  /** What it is, for messages ("the Helm/Kustomize renderer"). */
  readonly purpose: string;
  /** How to do without Go, for the missing-Go message. */
  readonly alternative: string;
  /** `-ldflags` value. */
  readonly ldflags: string;
  /** Says whether a file is a working binary (e.g. runs `<binary> version`). */
  readonly works: (binary: string) => boolean;
  /** Expected duration of a cold build, for the progress message. */
  readonly coldBuildHint: string;
  readonly log?: Logger;
}

/**
 * Returns the cached binary for the module's current content, building it
 * first (synchronously, one build at a time across processes) if needed.
 */
export function ensureGoBinarySync(spec: GoBinarySpec): string {
  const log = spec.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const key = goModuleKey(spec.moduleDir);
  const dir = path.join(spec.cacheRoot, key);
  const binary = path.join(dir, spec.name);
  if (spec.works(binary)) {
    return binary;
  }
  const lockDir = `${dir}.lock`;
  let announced = false;
  for (let lock = tryTakeBuildLock(lockDir); !lock.taken; lock = tryTakeBuildLock(lockDir)) {
    if (!announced) {
      log(`waiting for another build of ${spec.purpose} (lock ${lockDir}, pid ${lock.owner})`);
      announced = true;
    }
    sleepSync(2000);
  }
  try {
    if (spec.works(binary)) {
      return binary;
    }
    const goVer = requireGo(spec.purpose, spec.alternative);
    const started = Date.now();
    log(`Building ${spec.purpose} with ${goVer}\n  module: ${spec.moduleDir}\n  output: ${binary}\n` +
      `  The first build downloads Go modules and compiles them (${spec.coldBuildHint});\n` +
      `  later runs reuse the cached binary until ${path.basename(spec.moduleDir)}/go.sum or its sources change.`);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `${spec.name}.tmp-${process.pid}`);
    const args = ['build', '-trimpath', '-buildvcs=false', '-ldflags', spec.ldflags, '-o', tmp, `./cmd/${spec.name}`];
    const res = spawnSync('go', args, {
      cwd: spec.moduleDir,
      env: { ...process.env, CGO_ENABLED: '0' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.status !== 0 || !spec.works(tmp)) {
      fs.rmSync(tmp, { force: true });
      const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-60).join('\n');
      throw new GoBuildError(`building ${spec.purpose} failed (go build exit ${res.status}) in ${spec.moduleDir}:\n${output}`);
    }
    fs.renameSync(tmp, binary);
    const seconds = Math.round((Date.now() - started) / 1000);
    fs.writeFileSync(path.join(dir, 'build-info.json'),
      JSON.stringify({ go: goVer, key, seconds, builtAt: new Date().toISOString(), moduleDir: spec.moduleDir }, null, 2) + '\n');
    log(`Built ${binary} (${(fs.statSync(binary).size / 1024 / 1024).toFixed(0)} MiB) in ${seconds}s`);
    return binary;
  } finally {
    releaseBuildLock(lockDir);
  }
}

/** A child process's exit code and the last 200 lines of its output. */
export interface RunResult {
  readonly code: number;
  readonly output: string[];
}

/**
 * Runs `cmd`, keeping the last 200 output lines (and every line in `logFile`, an open file
 * descriptor, when given) and handing each stderr line to `onStderrLine`.
 */
export function runKeepingOutput(
  cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile?: number, onStderrLine?: (line: string) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (line: string) => {
      output.push(line);
      if (logFile !== undefined) {
        fs.writeSync(logFile, `${line}\n`);
      }
      if (output.length > 200) {
        output.shift();
      }
    };
    let buf = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        keep(line);
        onStderrLine?.(line);
      }
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(keep));
    child.on('error', reject);
    child.on('close', (code) => {
      if (buf) {
        keep(buf);
        onStderrLine?.(buf);
      }
      resolve({ code: code ?? 1, output });
    });
  });
}

export interface GoBuildResult {
  /** Absolute path of the binary. */
  readonly binary: string;
  /** True if this call compiled it, false if it came from the cache. */
  readonly built: boolean;
  /** Seconds spent (building or looking up the cache). */
  readonly seconds: number;
  /** Cache key (short sha256 of the wrapper module). */
  readonly key: string;
}

/**
 * Async {@link ensureGoBinarySync} for big modules: `go mod download`, then `go build -v` under
 * `nice` with a progress line every 15 s (packages compiled of the total `go list -deps` counts),
 * the whole output kept in `<cache>/<key>/build.log` (named in the error when the build fails).
 */
export async function ensureGoBinaryWithProgress(
  spec: GoBinarySpec & { readonly force?: boolean; readonly niceness?: number },
): Promise<GoBuildResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const log = spec.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const key = goModuleKey(spec.moduleDir);
  const dir = path.join(spec.cacheRoot, key);
  const binary = path.join(dir, spec.name);
  if (!spec.force && spec.works(binary)) {
    return { binary, built: false, seconds: seconds(), key };
  }
  const lockDir = `${dir}.lock`;
  let announced = false;
  for (let lock = tryTakeBuildLock(lockDir); !lock.taken; lock = tryTakeBuildLock(lockDir)) {
    if (!announced) {
      log(`waiting for another build of ${spec.purpose} (lock ${lockDir}, pid ${lock.owner})`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  try {
    if (!spec.force && spec.works(binary)) {
      return { binary, built: false, seconds: seconds(), key };
    }
    const goVer = requireGo(spec.purpose, spec.alternative);
    fs.mkdirSync(dir, { recursive: true });
    const logPath = path.join(dir, 'build.log');
    const logFile = fs.openSync(logPath, 'w');
    try {
      log(`Building ${spec.purpose} with ${goVer}\n  module: ${spec.moduleDir}\n  output: ${binary}\n  log:    ${logPath}\n` +
        `  The first build downloads Go modules and compiles them (${spec.coldBuildHint});\n` +
        `  later runs reuse the cached binary until ${path.basename(spec.moduleDir)}/go.sum or its sources change.`);
      const env: NodeJS.ProcessEnv = { ...process.env, CGO_ENABLED: '0' };
      log('[1/3] downloading Go modules (go mod download)...');
      const dl = await runKeepingOutput('go', ['mod', 'download'], spec.moduleDir, env, logFile);
      if (dl.code !== 0) {
        throw new GoBuildError(`'go mod download' failed in ${spec.moduleDir} (log ${logPath}):\n${dl.output.slice(-30).join('\n')}`);
      }
      const list = spawnSync('go', ['list', '-deps', `./cmd/${spec.name}`], { cwd: spec.moduleDir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const total = list.status === 0 ? list.stdout.split('\n').filter(Boolean).length : 0;
      const tmp = path.join(dir, `${spec.name}.tmp-${process.pid}`);
      const goArgs = ['build', '-v', '-trimpath', '-buildvcs=false', '-ldflags', spec.ldflags, '-o', tmp, `./cmd/${spec.name}`];
      // Shared machines: a cold build takes every core for many minutes.
      const [cmd, args] = spec.niceness ? ['nice', ['-n', String(spec.niceness), 'go', ...goArgs]] : ['go', goArgs];
      log(`[2/3] modules ready after ${Math.round(seconds())}s; compiling ${total ? `~${total} packages ` : ''}(CGO_ENABLED=0 ${cmd} ${args.join(' ')})`);
      let compiled = 0;
      let lastReport = Date.now();
      const buildStart = Date.now();
      const res = await runKeepingOutput(cmd, args, spec.moduleDir, env, logFile, (line) => {
        // `go build -v` prints one import path per package it compiles.
        if (/^[\w.\-/~]+$/.test(line)) {
          compiled++;
        }
        if (Date.now() - lastReport >= 15_000) {
          lastReport = Date.now();
          log(`  compiled ${compiled}${total ? ` of ~${total}` : ''} packages after ${Math.round((Date.now() - buildStart) / 1000)}s (${line})`);
        }
      });
      if (res.code !== 0) {
        fs.rmSync(tmp, { force: true });
        throw new GoBuildError(`building ${spec.purpose} failed (go build exit ${res.code}); full log: ${logPath}\n${res.output.slice(-40).join('\n')}`);
      }
      log(`[3/3] compiled after ${Math.round(seconds())}s; checking the binary`);
      if (!spec.works(tmp)) {
        fs.rmSync(tmp, { force: true });
        throw new GoBuildError(`the freshly built ${tmp} does not run ('${spec.name} version' failed); build log: ${logPath}`);
      }
      fs.renameSync(tmp, binary);
      const result: GoBuildResult = { binary, built: true, seconds: seconds(), key };
      const size = fs.statSync(binary).size;
      fs.writeFileSync(path.join(dir, 'build-info.json'),
        JSON.stringify({ go: goVer, key, seconds: Math.round(result.seconds), bytes: size, builtAt: new Date().toISOString(), moduleDir: spec.moduleDir }, null, 2) + '\n');
      log(`Built ${binary} (${(size / 1024 / 1024).toFixed(0)} MiB) in ${Math.round(result.seconds)}s`);
      return result;
    } finally {
      fs.closeSync(logFile);
    }
  } finally {
    releaseBuildLock(lockDir);
  }
}

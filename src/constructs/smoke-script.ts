/**
 * The program a SmokeTestHook's Job runs with `node -e`. Plain JavaScript for Node ≥ 18 (global
 * `fetch`, `AbortSignal.timeout`), no dependencies, so it runs in the pinned `node` image and in
 * this repository's tests alike. Its input is two environment variables:
 *
 * - `SMOKE_CHECKS`: JSON array of checks (see `SmokeCheck._toSpec()`),
 * - `SMOKE_DEADLINE_SECONDS`: overall deadline for all checks.
 *
 * Exit code 0 when every check passed, 1 when one failed (the last line names it), 2 on bad input.
 */
export const SMOKE_SCRIPT = String.raw`'use strict';
// cdk8s-argocd smoke test: runs the checks in order; each is retried until it passes, runs out of
// attempts or the overall deadline passes. The first check that fails ends the run with exit 1.
const checks = JSON.parse(process.env.SMOKE_CHECKS || '[]');
const deadlineSeconds = Number(process.env.SMOKE_DEADLINE_SECONDS || '300');
const deadline = Date.now() + deadlineSeconds * 1000;
const show = (v) => JSON.stringify(v) === undefined ? 'nothing' : JSON.stringify(v).slice(0, 200);

// Objects match when every expected key matches (extra keys are fine); arrays need the same length
// and matching elements; everything else must be equal.
function mismatch(expected, actual, at) {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return at + ' is ' + show(actual) + ', expected ' + show(expected);
    }
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(expected[i], actual[i], at + '[' + i + ']');
      if (m) return m;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return at + ' is ' + show(actual) + ', expected an object';
    }
    for (const key of Object.keys(expected)) {
      const m = mismatch(expected[key], actual[key], at + '.' + key);
      if (m) return m;
    }
    return undefined;
  }
  return expected === actual ? undefined : at + ' is ' + show(actual) + ', expected ' + show(expected);
}

// One attempt: undefined when the check passed, otherwise why it failed.
async function attempt(check, timeoutMs) {
  const response = await fetch(check.url, {
    method: check.method,
    headers: check.headers,
    body: check.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (response.status !== check.expectStatus) {
    return 'HTTP ' + response.status + ', expected ' + check.expectStatus + ' (body: ' + text.slice(0, 200) + ')';
  }
  if (check.expectBodyContains !== undefined && !text.includes(check.expectBodyContains)) {
    return 'body does not contain ' + show(check.expectBodyContains) + ' (body: ' + text.slice(0, 200) + ')';
  }
  if (check.expectJson === undefined && check.type !== 'graphql') return undefined;
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return 'body is not JSON: ' + text.slice(0, 200);
  }
  if (check.type !== 'graphql') return mismatch(check.expectJson, body, 'body');
  if (Array.isArray(body.errors) && body.errors.length > 0) return 'GraphQL errors: ' + show(body.errors);
  if (body.data === undefined || body.data === null) return 'GraphQL response has no data';
  return check.expectData === undefined ? undefined : mismatch(check.expectData, body.data, 'data');
}

function describeError(error, timeoutMs) {
  if (error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no response within ' + timeoutMs + ' ms';
  const cause = error && error.cause;
  return String((cause && (cause.code || cause.message)) || (error && error.message) || error);
}

async function run(check) {
  const attempts = check.retries + 1;
  let failure;
  for (let n = 1; n <= attempts; n++) {
    const left = deadline - Date.now();
    if (left <= 0) return (failure || 'not attempted') + '; the overall deadline of ' + deadlineSeconds + 's passed';
    const timeoutMs = Math.min(check.timeoutMs, left);
    try {
      failure = await attempt(check, timeoutMs);
    } catch (error) {
      failure = describeError(error, timeoutMs);
    }
    if (failure === undefined) {
      console.log('PASS ' + check.name + ' (attempt ' + n + ' of ' + attempts + ')');
      return undefined;
    }
    console.log('     ' + check.name + ': attempt ' + n + ' of ' + attempts + ' failed: ' + failure);
    if (n < attempts) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(check.intervalMs, deadline - Date.now()))));
  }
  return failure + ' (after ' + attempts + ' attempts)';
}

(async () => {
  for (const check of checks) {
    const failure = await run(check);
    if (failure !== undefined) {
      console.error('FAIL ' + check.name + ': ' + failure);
      process.exit(1);
    }
  }
  console.log('all ' + checks.length + ' smoke checks passed');
})().catch((error) => {
  console.error('FAIL smoke test could not run: ' + ((error && error.stack) || error));
  process.exit(2);
});
`;

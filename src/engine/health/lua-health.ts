/**
 * Runs a user's Lua health check as Argo CD does (argo-cd util/lua/lua.go): the global `obj` is
 * the live object, the script returns a table with `status` and `message`; a script error, a
 * return value that is not a table or a status that is not one of Argo CD's becomes Unknown with
 * the reason as message; only the safe libraries unless `useOpenLibs`; one second per run.
 *
 * The VM is fengari (Lua 5.3 written in JavaScript), not wasmoon (Lua 5.4 in WebAssembly): the
 * engine's health dispatch is synchronous (every caller reads health inline), and fengari runs a
 * script synchronously with no WebAssembly start-up, while wasmoon's VM is created asynchronously.
 * Argo CD runs gopher-lua (Lua 5.1); for health scripts 5.3 behaves the same for tables, `#`,
 * `ipairs`/`pairs`, string concatenation and comparisons. The difference that shows is numbers:
 * 5.1 has only floats, 5.3 integers and floats; whole JSON numbers are pushed as integers, so
 * `"replicas: " .. obj.spec.replicas` reads `replicas: 3` as in Argo CD (a division such as
 * `4 / 2` prints `2.0` where Argo CD prints `2`). 5.1's global `unpack` is provided as well.
 */
import { HealthStatus, HealthStatusCode, KubeObject } from '../model';

// fengari ships no type declarations. It is loaded on the first Lua check (requiring it costs
// ~100 ms), so commands and repositories without Lua checks never pay for it.
let lua: any;
let lauxlib: any;
let lualib: any;
let toLua: (s: string) => Uint8Array;
let toJs: (s: Uint8Array) => string;

function loadFengari(): void {
  if (lua === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fengari = require('fengari');
    ({ lua, lauxlib, lualib } = fengari);
    toLua = fengari.to_luastring;
    toJs = fengari.to_jsstring;
  }
}

/** Argo CD's messages (util/lua/lua.go), so a message reads the same in both. */
export const INVALID_HEALTH_STATUS = 'Lua returned an invalid health status';
const VALID = new Set<string>(Object.values(HealthStatusCode));
/** Argo CD gives each run a one-second context. */
const TIMEOUT_MS = 1000;
/** Lua instructions between two clock checks. */
const HOOK_COUNT = 10_000;

type LuaState = unknown;

/** One Lua state per library set, created on first use and reused: compiled scripts are cached in it. */
interface Vm {
  readonly L: LuaState;
  readonly compiled: Map<string, number>;
  deadline: number;
}

const vms = new Map<boolean, Vm>();

function requireLib(L: LuaState, name: string, open: unknown, global: boolean): void {
  lauxlib.luaL_requiref(L, toLua(name), open, global ? 1 : 0);
}

/**
 * Argo CD's safe set: base, package and table; `require("os")` returns an os library with only
 * `time` and `date` (util/lua/oslib_safe.go). There is no global `os`: Argo CD's OpenSafeOs
 * registers its functions under the name of the table library, which is already loaded, so
 * gopher-lua leaves them out. No string, math or io library. `dofile`/`loadfile` and package
 * searchers other than preload are removed: a health script reads nothing from disk.
 */
function openSafeLibs(L: LuaState): void {
  requireLib(L, '_G', lualib.luaopen_base, true);
  lua.lua_pop(L, 1);
  requireLib(L, 'package', lualib.luaopen_package, true);
  // package.searchers = { package.searchers[1] } (preload only)
  lua.lua_getfield(L, -1, toLua('searchers'));
  lua.lua_createtable(L, 1, 0);
  lua.lua_rawgeti(L, -2, 1);
  lua.lua_rawseti(L, -2, 1);
  lua.lua_setfield(L, -3, toLua('searchers'));
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, -1, toLua('loaded'));
  requireLib(L, 'table', lualib.luaopen_table, true);
  lua.lua_pop(L, 1);
  // The full os library, kept only to copy time and date from.
  lua.lua_pushcfunction(L, lualib.luaopen_os);
  lua.lua_call(L, 0, 1);
  lua.lua_createtable(L, 0, 2);
  for (const f of ['time', 'date']) {
    lua.lua_getfield(L, -2, toLua(f));
    lua.lua_setfield(L, -2, toLua(f));
  }
  lua.lua_setfield(L, -3, toLua('os')); // package.loaded.os = safe os, for require("os")
  lua.lua_settop(L, 0);
  for (const f of ['dofile', 'loadfile']) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, toLua(f));
  }
}

function vmFor(openLibs: boolean): Vm {
  loadFengari();
  let vm = vms.get(openLibs);
  if (!vm) {
    const L = lauxlib.luaL_newstate();
    if (openLibs) {
      lualib.luaL_openlibs(L);
    } else {
      openSafeLibs(L);
    }
    // Lua 5.1's global unpack (gopher-lua has it), for scripts written against Argo CD.
    lua.lua_getglobal(L, toLua('table'));
    lua.lua_getfield(L, -1, toLua('unpack'));
    lua.lua_setglobal(L, toLua('unpack'));
    lua.lua_settop(L, 0);
    const created: Vm = { L, compiled: new Map(), deadline: 0 };
    lua.lua_sethook(L, () => {
      if (Date.now() > created.deadline) {
        lauxlib.luaL_error(L, toLua('context deadline exceeded: the health script ran longer than 1s'));
      }
    }, lua.LUA_MASKCOUNT, HOOK_COUNT);
    vm = created;
    vms.set(openLibs, vm);
  }
  return vm;
}

/** Pushes a JSON value as gopher-lua's decodeValue does (arrays become 1-based tables, null is nil). */
function pushValue(L: LuaState, v: unknown): void {
  if (v === null || v === undefined) {
    lua.lua_pushnil(L);
  } else if (typeof v === 'boolean') {
    lua.lua_pushboolean(L, v);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) {
      lua.lua_pushinteger(L, v);
    } else {
      lua.lua_pushnumber(L, v);
    }
  } else if (typeof v === 'string') {
    lua.lua_pushstring(L, toLua(v));
  } else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((item, i) => {
      pushValue(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [k, item] of entries) {
      lua.lua_pushstring(L, toLua(k));
      pushValue(L, item);
      lua.lua_rawset(L, -3);
    }
  } else {
    lua.lua_pushnil(L);
  }
}

function errorMessage(L: LuaState): string {
  const m = lua.lua_tostring(L, -1);
  return m ? toJs(m) : 'error object is not a string';
}

function unknown(message: string): HealthStatus {
  return { status: HealthStatusCode.UNKNOWN, message };
}

/** The health a Lua script gives `obj`, with Argo CD's rules for errors and invalid results. */
export function runLuaHealth(script: string, obj: KubeObject, useOpenLibs = false): HealthStatus {
  const vm = vmFor(useOpenLibs);
  const L = vm.L;
  try {
    let ref = vm.compiled.get(script);
    if (ref === undefined) {
      if (lauxlib.luaL_loadbufferx(L, toLua(script), null, toLua('=health.lua'), toLua('t')) !== lua.LUA_OK) {
        return unknown(errorMessage(L));
      }
      ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) as number;
      vm.compiled.set(script, ref);
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    // A fresh global table per run (reading through to the libraries): scripts assign globals
    // (`hs = {}`), and one run must not see another's, as each Argo CD run has its own state.
    lua.lua_createtable(L, 0, 1);
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushglobaltable(L);
    lua.lua_setfield(L, -2, toLua('__index'));
    lua.lua_setmetatable(L, -2);
    pushValue(L, obj);
    lua.lua_setfield(L, -2, toLua('obj'));
    lua.lua_setupvalue(L, -2, 1); // the chunk's _ENV
    vm.deadline = Date.now() + TIMEOUT_MS;
    if (lua.lua_pcall(L, 0, lua.LUA_MULTRET, 0) !== lua.LUA_OK) {
      return unknown(errorMessage(L));
    }
    // Argo CD reads the top of the stack: the last value returned, nil when nothing is.
    if (lua.lua_gettop(L) === 0 || lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
      const type = lua.lua_gettop(L) === 0 ? 'nil' : toJs(lua.lua_typename(L, lua.lua_type(L, -1)));
      return unknown(`expect table output from Lua script, not ${type}`);
    }
    const field = (name: string): string | undefined | Error => {
      const t = lua.lua_getfield(L, -1, toLua(name));
      const value = t === lua.LUA_TNIL ? undefined : t === lua.LUA_TSTRING ? toJs(lua.lua_tostring(L, -1)) : new Error(toJs(lua.lua_typename(L, t)));
      lua.lua_pop(L, 1);
      return value;
    };
    const status = field('status');
    const message = field('message');
    for (const [name, v] of [['status', status], ['message', message]] as const) {
      if (v instanceof Error) {
        return unknown(`the health script's ${name} is a ${v.message}, not a string`);
      }
    }
    if (typeof status !== 'string' || !VALID.has(status)) {
      return unknown(INVALID_HEALTH_STATUS);
    }
    return { status: status as HealthStatusCode, ...(message ? { message: message as string } : {}) };
  } finally {
    lua.lua_settop(L, 0);
  }
}

export { HookPhase, HookDeletePolicy } from '../argo/hooks';

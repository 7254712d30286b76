/**
 * Offline ApplicationSet expansion (TypeScript API for the sync engine and the CLI; not part of
 * the jsii construct API).
 */
export { expandApplicationSet, ExpandOptions, ExpandResult } from './expand';
export { ApplicationSetExpansionError, OfflineExpansionUnsupportedError } from './errors';
export { ClusterInfo, IN_CLUSTER } from './generators/context';
export { GitSource, InMemoryGitSource } from './git-source';
export { LocalGitSource, LocalGitSourceOptions, sameRepo } from './local-git-source';
export { renderGoTemplate, GoTemplateError, MissingKey } from './go-template';
// Batch rendering with Go's text/template + Sprig (WebAssembly): one call for many strings.
export { renderTemplateGroups } from './go-template';
export type { GroupResult, TemplateGroup, TemplateSettings } from './go-template';
export { GoTemplateRuntimeError } from './go-template-runtime';
export { renderFastTemplate, FastTemplateError } from './fasttemplate';
export { sanitizeName, slugifyName } from './names';
export { checkGeneratedSources } from './source-check';
export type { SourceCheckOptions } from './source-check';

export { GitOpsApp, GitOpsAppProps } from './constructs/gitops-app';
export { SynthCheckResult } from './synth/check';
export { Application, ApplicationProps, ApplicationInfo, DeletionFinalizer } from './constructs/application';
export {
  ApplicationSource, ApplicationSourceDirectory, ApplicationSourceHelm, ApplicationSourceKustomize,
  ApplicationSourcePlugin, DirectoryJsonnet, JsonnetVariable, HelmParameter, HelmFileParameter,
  KustomizeReplica, KustomizePatch, KustomizePatchTarget, PluginEnv, PluginParameter,
  SourceHydrator, HydratorDrySource, HydratorSyncSource,
} from './constructs/application-source';
export {
  AppProject, AppProjectProps, ProjectResource, ProjectClusterResource, ProjectRole, ProjectRoleToken,
  SyncWindow, SyncWindowKind, OrphanedResources, OrphanedResourceKey, DestinationServiceAccount,
} from './constructs/app-project';
export { ApplicationDestination } from './constructs/destination';
export { IgnoreDifferencesRule } from './constructs/ignore-differences-rule';
export { SyncOption, PrunePropagationPolicy } from './constructs/sync-option';
export { SyncPolicy, AutomatedSync, RetryStrategy, RetryBackoff, ManagedNamespaceMetadata } from './constructs/sync-policy';
export { AppOfApps, AppOfAppsProps } from './constructs/app-of-apps';
export { Images } from './constructs/images';
export { ImageUpdaterOptions, ImageUpdaterImage, ImageUpdaterWriteBack, ImageUpdaterGitWriteBackOptions, ImageUpdateStrategy } from './constructs/image-updater';
export { ArgoRbac, ArgoRbacProps, RbacRole, RbacPermission, RbacGroupBinding, RbacResource, RbacAction, RbacEffect, RbacMatchMode } from './constructs/argo-rbac';
export { SyncWave, SyncWaveProps } from './constructs/sync-wave';
export { Naming, Grouping } from './constructs/naming';
export { IgnoreDifferences } from './constructs/ignore-differences';
export { HookPhase, HookDeletePolicy } from './constructs/hook';
export { SmokeCheck, SmokeCheckRetryOptions, HttpCheckOptions, GraphqlCheckOptions } from './constructs/smoke-check';
export { SmokeTestHook, SmokeTestHookProps, SyncFailNotification } from './constructs/smoke-test-hook';
export {
  ApplicationSet, ApplicationSetProps, ApplicationSetSyncPolicy, ApplicationsSyncPolicy, RollingSyncStrategy, RollingSyncStep,
  RollingSyncMatchExpression, RollingSyncOperator, MaxUpdate, GeneratedApplication, DeletionOrder,
  ApplicationSetIgnoreDifferences, ApplicationSetPreservedFields,
} from './constructs/application-set';
export { ApplicationSetTemplate } from './constructs/application-set-template';
export { ApplicationSetPreview, PreviewCluster } from './constructs/application-set-preview';
export {
  ApplicationSetGenerator, GeneratorOptions, LabelSelector, LabelSelectorRequirement, LabelSelectorOperator,
  ListGeneratorProps, ClustersGeneratorProps, GitGeneratorOptions, GitDirectoriesGeneratorProps, GitFilesGeneratorProps, GitDirectory, GitFile,
  MatrixGeneratorProps, MergeGeneratorProps, SecretKeyRef, ConfigMapKeyRef, BasicAuth, BearerToken,
  ScmProviderGeneratorProps, ScmProviderGithub, ScmProviderGitlab, ScmProviderGitea, ScmProviderBitbucket, ScmProviderBitbucketServer,
  ScmProviderAzureDevOps, ScmProviderAwsCodeCommit, AwsCodeCommitTagFilter, ScmProviderFilter,
  PullRequestGeneratorProps, PullRequestGithub, PullRequestGitlab, PullRequestGitea, PullRequestBitbucketServer, PullRequestBitbucket,
  PullRequestAzureDevOps, PullRequestFilter, ClusterDecisionResourceGeneratorProps, PluginGeneratorProps,
} from './constructs/application-set-generator';

import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppProject, Application, SyncOption, SyncWindowKind } from '../../src';
import { testApp } from '../util/synth';

const IN_CLUSTER = 'https://kubernetes.default.svc';

function synthErrors(build: (app: ReturnType<typeof testApp>) => void): string {
  const app = testApp();
  build(app);
  try {
    app.synthFiles();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('AppProject checks the Applications that use it at synth', () => {
  test('an Application the project permits synthesizes', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: IN_CLUSTER, namespace: 'team-*' }] });
      const web = new Application(app, 'web', { project: project.name, destination: { namespace: 'team-web' } });
      new kplus.ConfigMap(web, 'settings', { data: { a: '1' } });
    })).toBe('');
  });

  test('fails when the destination is not among the project\'s destinations', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: IN_CLUSTER, namespace: 'team-*' }] });
      new Application(app, 'web', { project: project.name, destination: { namespace: 'prod' } });
    })).toContain("[team] Application 'web' ('web'): application destination server 'https://kubernetes.default.svc' and namespace 'prod' do not match any of the allowed destinations in project 'team': add it to the project's destinations");
  });

  test('fails when a ! destination denies the namespace', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: '*', namespace: '*' }, { server: '*', namespace: '!kube-system' }] });
      new Application(app, 'web', { project: project.name, destination: { namespace: 'kube-system' } });
    })).toContain("namespace 'kube-system' do not match any of the allowed destinations in project 'team'");
  });

  test('fails when a source repository is not in sourceRepos', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: '*', namespace: '*' }] });
      new Application(app, 'charts', { project: project.name, destination: { namespace: 'x' }, source: { repoURL: 'https://charts.example.com', chart: 'c', targetRevision: '1.0.0' } });
    })).toContain("Application 'charts' ('charts'): application repo https://charts.example.com is not permitted in project 'team': add it to the project's sourceRepos");
  });

  test('fails when a cluster-scoped kind is not in clusterResourceWhitelist, naming the object\'s path', () => {
    const message = synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: '*', namespace: '*' }] });
      const web = new Application(app, 'web', { project: project.name, destination: { namespace: 'web' } });
      new kplus.ClusterRole(web, 'reader');
      new kplus.ConfigMap(web, 'settings');
    });
    expect(message).toContain("ClusterRole 'web-reader' ('web/reader/Resource') of Application 'web' ('web'): resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team: add { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' } to the project's clusterResourceWhitelist");
    expect(message).not.toContain('ConfigMap');
  });

  test('fails when a namespaced kind is denied, or the object\'s own namespace is not a destination', () => {
    const message = synthErrors((app) => {
      const project = new AppProject(app, 'team', {
        destinations: [{ server: '*', namespace: 'web' }],
        namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }],
      });
      const web = new Application(app, 'web', { project: project.name, destination: { namespace: 'web' } });
      new ApiObject(web, 'token', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' } });
      new ApiObject(web, 'elsewhere', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'other' } });
    });
    expect(message).toContain("Secret 'token' ('web/token') of Application 'web' ('web'): resource :Secret is not permitted in project team: add { group: '', kind: 'Secret' } to the project's namespaceResourceWhitelist (or take it off namespaceResourceBlacklist)");
    expect(message).toContain("ConfigMap 'elsewhere' ('web/elsewhere') of Application 'web' ('web'): namespace other is not permitted in project 'team'");
  });

  test('fails when CreateNamespace=true needs a Namespace the project does not allow', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: '*', namespace: '*' }] });
      new Application(app, 'web', { project: project.name, destination: { namespace: 'web' }, syncPolicy: { syncOptions: [SyncOption.CREATE_NAMESPACE] } });
    })).toContain("CreateNamespace=true creates Namespace 'web', but resource :Namespace is not permitted in project team");
  });

  test('fails when an Application outside Argo CD\'s namespace is not in sourceNamespaces', () => {
    expect(synthErrors((app) => {
      const project = new AppProject(app, 'team', { destinations: [{ server: '*', namespace: '*' }] });
      new Application(app, 'web', { project: project.name, namespace: 'team-a', destination: { namespace: 'web' } });
    })).toContain("application 'web' in namespace 'team-a' is not permitted to use project 'team': add 'team-a' to its sourceNamespaces");
  });

  test('a project checks only its own Applications', () => {
    expect(synthErrors((app) => {
      new AppProject(app, 'team', { destinations: [] });
      new AppProject(app, 'open', { destinations: [{ server: '*', namespace: '*' }] });
      new Application(app, 'web', { project: 'open', destination: { namespace: 'web' } });
    })).toBe('');
  });

  test('fails when a sync window schedule is not five cron fields', () => {
    expect(() => new AppProject(testApp(), 'p', { syncWindows: [{ kind: SyncWindowKind.DENY, schedule: '0 22 * *', duration: '1h', applications: ['*'] }] }))
      .toThrow(/sync window schedule '0 22 \* \*' is not a cron schedule Argo CD accepts \(expected exactly 5 fields, found 4/);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { fileSystemErrorMessage, shownPath } from './file-system-error';
import { GENERATED_MARKER } from './generated-file';

/**
 * `cdk8s synth` (the cdk8s CLI) runs the app with `CDK8S_OUTDIR` set to its output directory
 * (`output` in cdk8s.yaml, default `dist`; a temporary folder with `--stdout`), then fails unless
 * that folder exists and prints or lists every `.yaml` file in it. The committed directory cannot
 * live there (the CLI deletes `output` before each run), so the app writes the committed directory
 * where it always does and, for the CLI, one multi-document stream of the same manifests.
 */
export const CDK8S_OUTDIR_ENV = 'CDK8S_OUTDIR';

// ApplicationSet previews are a kind no cluster has: leave them out of a stream meant for kubectl.
const PREVIEW_FOLDER = '_preview/';

/** The stream file's name inside CDK8S_OUTDIR: `<outdir name>.k8s.yaml`, cdk8s's own suffix. */
export function cdk8sStreamFileName(outdir: string): string {
  return `${path.basename(path.resolve(outdir))}.k8s.yaml`;
}

/**
 * All manifests as one YAML stream in path order, each document preceded by a comment naming its
 * file in the committed directory. Pure, for tests.
 */
export function manifestStream(outdirShown: string, files: { [relativePath: string]: string }): string {
  return Object.keys(files).sort()
    .filter(file => !file.startsWith(PREVIEW_FOLDER))
    .map(file => `---\n# ${path.posix.join(outdirShown, file)}\n${files[file].split('\n').filter(line => !line.startsWith(GENERATED_MARKER)).join('\n')}`)
    .join('');
}

/**
 * Writes the stream for the cdk8s CLI into `cdk8sOutdir`, unless that is the committed directory
 * itself. Refuses a CDK8S_OUTDIR inside the committed directory: Argo CD would sync the stream.
 * Returns the file written, if any.
 */
export function writeCdk8sCliOutput(cdk8sOutdir: string, outdir: string, files: { [relativePath: string]: string }): string | undefined {
  const target = path.resolve(cdk8sOutdir);
  const committed = path.resolve(outdir);
  if (target === committed) return undefined;
  if (target.startsWith(committed + path.sep)) {
    throw new Error(`${CDK8S_OUTDIR_ENV} ${shownPath(target)} is inside the committed directory ${shownPath(committed)}, where Argo CD would sync what cdk8s writes: set 'output' in cdk8s.yaml to a folder outside it (the default, dist, is fine). Nothing was written there.`);
  }
  const file = path.join(target, cdk8sStreamFileName(outdir));
  try {
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(file, manifestStream(shownPath(committed), files));
  } catch (e) {
    const message = fileSystemErrorMessage(e, shownPath(file));
    if (message === undefined) throw e;
    throw new Error(`cannot write the cdk8s CLI output: ${message}`);
  }
  return file;
}

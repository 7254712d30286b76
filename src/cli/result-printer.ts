import { formatDocument, isMachineFormat, OutputFormat } from './output-format';

/** How one command shows one result: text (plain or wide) for people, a document for programs. */
export interface ResultView<R> {
  readonly text: (result: R, style: { color: boolean; wide: boolean }) => string;
  /** The json/yaml document of one result (default: the result itself). */
  readonly document?: (result: R) => unknown;
}

/**
 * The one printer of `sync`, `diff` and `status` results on stdout: one document (an object
 * for one Application, a list for several) for json/yaml, else each result's text, blank-line
 * separated. Colour only on a terminal.
 */
export function printResults<R>(results: readonly R[], format: OutputFormat, view: ResultView<R>): void {
  if (isMachineFormat(format)) {
    const docs = results.map((r) => (view.document ? view.document(r) : r));
    process.stdout.write(formatDocument(format, docs.length === 1 ? docs[0] : docs));
    return;
  }
  const style = { color: !!process.stdout.isTTY, wide: format === 'wide' };
  const texts = results.map((r) => view.text(r, style)).filter((t) => t.length > 0);
  if (texts.length > 0) {
    process.stdout.write(`${texts.join('\n\n')}\n`);
  }
}

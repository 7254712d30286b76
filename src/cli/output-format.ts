import { Option } from 'commander';
import { stringify } from 'yaml';

/** `-o`: text for people (default), wide for people with more columns, json and yaml for programs. */
export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'wide', 'json', 'yaml'];

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text');
}

/** True for the formats a program reads: nothing but the document goes to stdout. */
export function isMachineFormat(format: OutputFormat): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml';
}

/** The one serialization of a result for json/yaml. */
export function formatDocument(format: 'json' | 'yaml', value: unknown): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

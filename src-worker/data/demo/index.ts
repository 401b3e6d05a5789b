import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo data's public API: family names, held-out items, the generated files. */
export { DEMO_FAMILIES, type DemoFamilyName } from './families/index';
export { checkDemoAnswer, demoEvalItems, type DemoEvalItem } from './eval';
export { DEMO_FILE_NAMES, demoFiles, demoLongRecords, demoShortRecords } from './files';

/** resources/demo/ in a source checkout (where generate.ts writes the files). */
export const DEMO_DATA_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../resources/demo',
);

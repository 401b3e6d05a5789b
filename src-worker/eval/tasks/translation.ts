import type { TranslationDoc } from '../docs';
import type { GenerationInstance } from '../instances';
import type { LanguagePair } from '../loaders/wmt';

const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  fr: 'French',
  de: 'German',
};

export function languageName(code: string): string {
  const name = LANGUAGE_NAMES[code];
  if (name === undefined) throw new Error(`no language name for "${code}"`);
  return name;
}

/**
 * The instruction-style translation prompt of docs/METHOD.md "Evaluation" (the study's, not lm-eval's "English
 * phrase: … French phrase:"), decoded greedily until the first newline.
 */
export function translationPrompt(source: string, pair: LanguagePair): string {
  return `Translate the following from ${languageName(pair.src)} to ${languageName(pair.tgt)}.\n${source}\n`;
}

export function buildTranslationInstances(
  docs: readonly TranslationDoc[],
  pair: LanguagePair,
): GenerationInstance[] {
  return docs.map((doc) => ({
    doc,
    prompt: translationPrompt(doc.source, pair),
    until: ['\n'],
    reference: doc.reference,
  }));
}

/** sacreBLEU-compatible BLEU, pure so the renderer can score too. */
export { computeBleu, corpusBleu, sentenceBleu, type BleuScore } from './bleu';
export { segmentStats, sumStats, bleuTokens, type BleuStats } from './stats';
export { tokenize13a } from './tokenize13a';

import { describe, expect, it } from 'vitest';
import { shortName } from '../../src-shared/names';

describe('shortName: what tables and the app call a model or dataset', () => {
  it('keeps built-in names and shortens paths to the file or folder name', () => {
    expect(shortName('tiny-byte')).toBe('tiny-byte');
    expect(shortName('demo-long')).toBe('demo-long');
    expect(shortName('/work/resources/demo/demo-long.jsonl')).toBe('demo-long');
    expect(shortName('/home/u/.cache/plw-studio/pretrained/0f3a9c1d2b4e5f60/demo-base')).toBe(
      'demo-base',
    );
    expect(shortName('/models/llama-7b/')).toBe('llama-7b');
    expect(shortName('C:\\data\\alpaca_data.json')).toBe('alpaca_data');
    expect(shortName('/data/.hidden')).toBe('.hidden');
  });
});

import { ProtoReader } from './protobuf';

/** `ModelProto.SentencePiece.Type` of sentencepiece_model.proto. */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** `TrainerSpec.ModelType`. */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

/**
 * The parts of a SentencePiece `tokenizer.model` that encoding and decoding depend on. Defaults
 * are those of sentencepiece_model.proto, because a field equal to its default may be absent.
 */
export interface SentencePieceModel {
  pieces: string[];
  scores: Float32Array;
  types: Uint8Array;
  modelType: number;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  /** -1 when the model has no padding piece (LLaMA). */
  padId: number;
  /** What `decode` prints for the unknown piece (" ⁇ " by default). */
  unkSurface: string;
  normalizerName: string;
  /** Non-empty for models with a compiled character map (NFKC and the like). */
  precompiledCharsmapSize: number;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

/**
 * Parses the bytes of a `tokenizer.model` (a serialized `sentencepiece.ModelProto`).
 * @throws ProtoFormatError for bytes that are not such a message.
 */
export function parseSentencePieceModel(buf: Uint8Array): SentencePieceModel {
  const pieces: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const model: SentencePieceModel = {
    pieces,
    scores: new Float32Array(0),
    types: new Uint8Array(0),
    modelType: ModelType.UNIGRAM,
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkSurface: ' \u2047 ',
    normalizerName: '',
    precompiledCharsmapSize: 0,
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  const r = new ProtoReader(buf);
  while (r.next()) {
    if (r.field === 1) {
      let piece = '';
      let score = 0;
      let type: number = PieceType.NORMAL;
      const p = new ProtoReader(r.bytes());
      while (p.next()) {
        if (p.field === 1) piece = p.string();
        else if (p.field === 2) score = p.float();
        else if (p.field === 3) type = p.int32();
        else p.skip();
      }
      pieces.push(piece);
      scores.push(score);
      types.push(type);
    } else if (r.field === 2) {
      const t = new ProtoReader(r.bytes());
      while (t.next()) {
        if (t.field === 3) model.modelType = t.int32();
        else if (t.field === 24) model.treatWhitespaceAsSuffix = t.bool();
        else if (t.field === 35) model.byteFallback = t.bool();
        else if (t.field === 40) model.unkId = t.int32();
        else if (t.field === 41) model.bosId = t.int32();
        else if (t.field === 42) model.eosId = t.int32();
        else if (t.field === 43) model.padId = t.int32();
        else if (t.field === 44) model.unkSurface = t.string();
        else t.skip();
      }
    } else if (r.field === 3) {
      const n = new ProtoReader(r.bytes());
      while (n.next()) {
        if (n.field === 1) model.normalizerName = n.string();
        else if (n.field === 2) model.precompiledCharsmapSize = n.bytes().length;
        else if (n.field === 3) model.addDummyPrefix = n.bool();
        else if (n.field === 4) model.removeExtraWhitespaces = n.bool();
        else if (n.field === 5) model.escapeWhitespaces = n.bool();
        else n.skip();
      }
    } else {
      r.skip();
    }
  }
  model.scores = Float32Array.from(scores);
  model.types = Uint8Array.from(types);
  return model;
}

const MODEL_TYPE_NAMES: Record<number, string> = { 1: 'UNIGRAM', 2: 'BPE', 3: 'WORD', 4: 'CHAR' };

/**
 * The first feature of `model` this implementation does not reproduce exactly, as the proto
 * field that holds it and a one-line problem; undefined when the model is fully supported.
 * Refusing is better than silently giving ids that differ from the reference library.
 */
export function unsupportedFeature(
  model: SentencePieceModel,
): { field: string; problem: string } | undefined {
  const n = model.pieces.length;
  if (n === 0) return { field: 'pieces', problem: 'the model has no pieces' };
  if (model.modelType !== ModelType.BPE) {
    const name = MODEL_TYPE_NAMES[model.modelType] ?? String(model.modelType);
    return {
      field: 'trainer_spec.model_type',
      problem: `only BPE models are supported, got ${name}`,
    };
  }
  if (model.precompiledCharsmapSize > 0) {
    return {
      field: 'normalizer_spec.precompiled_charsmap',
      problem: `normalizer "${model.normalizerName}" with a character map is not supported (identity only)`,
    };
  }
  if (model.treatWhitespaceAsSuffix) {
    return { field: 'trainer_spec.treat_whitespace_as_suffix', problem: 'not supported' };
  }
  for (const [field, id] of [
    ['trainer_spec.unk_id', model.unkId],
    ['trainer_spec.bos_id', model.bosId],
    ['trainer_spec.eos_id', model.eosId],
  ] as const) {
    if (!Number.isInteger(id) || id < 0 || id >= n) {
      return { field, problem: `id ${id} is not a piece of the ${n}-piece vocabulary` };
    }
  }
  if (model.types[model.unkId] !== PieceType.UNKNOWN) {
    return { field: 'trainer_spec.unk_id', problem: `piece ${model.unkId} is not of type UNKNOWN` };
  }
  if (model.byteFallback) {
    const bytePieces = new Set(model.pieces.filter((_, i) => model.types[i] === PieceType.BYTE));
    for (let b = 0; b < 256; b++) {
      const piece = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      if (!bytePieces.has(piece)) {
        return {
          field: 'pieces',
          problem: `byte_fallback is on but byte piece ${piece} is missing`,
        };
      }
    }
  }
  return undefined;
}

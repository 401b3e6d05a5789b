import { Rng } from '../random';
import { fitFixedEffects, type LmmDesign, type LmmFit } from './lmm';
import { DEFAULT_EXPONENT } from './model';
import { olsQuadratic } from './perBenchmark';
import { quantile } from './quantile';

/** Why a fit has no best PLW inside [0, 1]. */
export type NoVertexReason = 'convex' | 'flat' | 'vertex_below_0' | 'vertex_above_1';

export type Vertex =
  | { vertexW: number; lambda: number; reason: null }
  | { vertexW: null; lambda: null; reason: NoVertexReason };

/**
 * The best PLW of a fitted quadratic b0 + b_w w + b_w2 w^2 (docs/METHOD.md "Analysis"): the vertex
 * w* = -b_w / (2 b_w2) when b_w2 < 0 and w* lies in [0, 1], and lambda = w*^(1/exponent);
 * otherwise nulls and the reason.
 * @example bestPlw(0.22, -0.2) // { vertexW: 0.55, lambda: 0.137…, reason: null }
 */
export function bestPlw(bw: number, bw2: number, exponent = DEFAULT_EXPONENT): Vertex {
  if (bw2 === 0) return { vertexW: null, lambda: null, reason: 'flat' };
  if (bw2 > 0) return { vertexW: null, lambda: null, reason: 'convex' };
  const vertexW = -bw / (2 * bw2);
  if (vertexW < 0) return { vertexW: null, lambda: null, reason: 'vertex_below_0' };
  if (vertexW > 1) return { vertexW: null, lambda: null, reason: 'vertex_above_1' };
  return { vertexW, lambda: vertexW ** (1 / exponent), reason: null };
}

/** Wording of a `NoVertexReason` for tables and verdicts. */
export function describeNoVertex(reason: NoVertexReason): string {
  switch (reason) {
    case 'convex':
      return 'the fitted curve is convex (w^2 coefficient > 0)';
    case 'flat':
      return 'the fitted curve has no curvature';
    case 'vertex_below_0':
      return 'the fitted maximum lies below PLW 0';
    case 'vertex_above_1':
      return 'the fitted maximum lies beyond PLW 1';
  }
}

export interface LambdaInterval {
  /** Confidence level of the percentile interval, e.g. 0.95. */
  level: number;
  replicates: number;
  /** Replicates whose refit had no vertex in [0, 1] (left out of the percentiles). */
  noVertex: number;
  /** Percentile interval of lambda over the replicates that had one; null if fewer than 20. */
  lower: number | null;
  upper: number | null;
  seed: number;
}

/**
 * A percentile interval for lambda from a parametric bootstrap of a REML fit (Davison &
 * Hinkley 1997, "Bootstrap Methods and their Application", sections 2.2 and 5.3): simulate
 * scores from the fitted model (fixed part + a fresh benchmark intercept ~ N(0,
 * sigma2Benchmark) + noise ~ N(0, sigma2Residual)), refit by REML, take the vertex. Seeded
 * with src-shared/random's Rng, so the same seed gives the same interval.
 * @example lambdaInterval(design, remlFit, { replicates: 1000, seed: 42 }) // { lower: 0.09, … }
 */
export function lambdaInterval(
  design: LmmDesign,
  fit: LmmFit,
  options: { replicates: number; seed: number; level?: number; exponent?: number },
): LambdaInterval {
  const { n, p, q } = design;
  const fixed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) fixed[i] += design.x[i * p + a] * fit.beta[a];
  }
  const sdGroup = Math.sqrt(fit.sigma2Group);
  const sdResid = Math.sqrt(fit.sigma2Residual);
  const y = new Float64Array(n);
  const offsets = new Float64Array(q);
  return bootstrapLambda(options, (rng) => {
    for (let k = 0; k < q; k++) offsets[k] = sdGroup * rng.normal();
    for (let i = 0; i < n; i++) y[i] = fixed[i] + offsets[design.group[i]] + sdResid * rng.normal();
    return fitFixedEffects(design, y, 'REML');
  });
}

/**
 * The same percentile interval for a least-squares fit of one benchmark (score ~ w + w^2):
 * simulate fitted values + noise ~ N(0, sigma2Residual) at the sweep's own w values, refit.
 */
export function lambdaIntervalOls(
  w: readonly number[],
  fit: LmmFit,
  options: { replicates: number; seed: number; level?: number; exponent?: number },
): LambdaInterval {
  const [b0, bw, bw2] = fit.beta;
  const sd = Math.sqrt(fit.sigma2Residual);
  const ws = [...w];
  return bootstrapLambda(options, (rng) => {
    const y = ws.map((x) => b0 + bw * x + bw2 * x * x + sd * rng.normal());
    const c = olsQuadratic(ws, y);
    return [c.intercept, c.w, c.w2];
  });
}

/** Runs `draw` (a refit of simulated scores, returning beta) `replicates` times. */
function bootstrapLambda(
  options: { replicates: number; seed: number; level?: number; exponent?: number },
  draw: (rng: Rng) => number[],
): LambdaInterval {
  const level = options.level ?? 0.95;
  const exponent = options.exponent ?? DEFAULT_EXPONENT;
  const rng = new Rng(options.seed);
  const lambdas: number[] = [];
  let noVertex = 0;
  for (let r = 0; r < options.replicates; r++) {
    const beta = draw(rng);
    const v = bestPlw(beta[1], beta[2], exponent);
    if (v.lambda === null) noVertex++;
    else lambdas.push(v.lambda);
  }
  lambdas.sort((a, b) => a - b);
  const enough = lambdas.length >= 20;
  const alpha = (1 - level) / 2;
  return {
    level,
    replicates: options.replicates,
    noVertex,
    lower: enough ? quantile(lambdas, alpha) : null,
    upper: enough ? quantile(lambdas, 1 - alpha) : null,
    seed: options.seed,
  };
}

/** Formats a number with `digits` significant digits, switching to e-notation when tiny. */
export function formatSig(x: number, digits = 2): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** What the data could show, and what the fit left out or rests on. */
export interface VerdictContext {
  /** Fitted benchmarks at chance in every cell (included by choice). */
  atChance: number;
  benchmarks: number;
  /** The one benchmark an OLS fit rests on; null for the mixed model. */
  oneBenchmark?: string | null;
  /** Fitted benchmarks flagged below chance. */
  belowChance?: readonly string[];
  /** Benchmarks left out of the fit, each with its reason. */
  excluded?: readonly { benchmark: string; reason: string }[];
}

function chanceClause(ctx: VerdictContext): string {
  if (ctx.atChance === 0) return '';
  if (ctx.atChance === ctx.benchmarks) {
    return ctx.benchmarks === 1
      ? 'the benchmark is at chance in every cell, so the data could not show an effect'
      : `all ${ctx.benchmarks} benchmarks are at chance in every cell, so the data could not show an effect`;
  }
  return `${ctx.atChance} of ${ctx.benchmarks} benchmarks ${ctx.atChance === 1 ? 'is' : 'are'} at chance`;
}

function contextClauses(ctx: VerdictContext): string[] {
  const out: string[] = [];
  if (ctx.oneBenchmark) out.push(`rests on one benchmark (${ctx.oneBenchmark})`);
  const chance = chanceClause(ctx);
  if (chance) out.push(chance);
  const below = ctx.belowChance ?? [];
  if (below.length > 0) {
    out.push(`${below.join(', ')} ${below.length === 1 ? 'is' : 'are'} below chance`);
  }
  const excluded = ctx.excluded ?? [];
  if (excluded.length > 0) {
    out.push(`left out: ${excluded.map((e) => `${e.benchmark} (${e.reason})`).join(', ')}`);
  }
  return out;
}

/**
 * One sentence a user can act on: "PLW matters (p = 3.3e-14); best PLW ≈ 0.14 [0.09, 0.21]"
 * or "no detectable effect (p = 0.36)". Significance at `alpha` (default 0.05) of the
 * verdict's test (the Kenward–Roger F-test; the exact F-test for one benchmark). With
 * `context`, the sentence says what it rests on: "no detectable effect (p = 0.21) — 1 of 2
 * benchmarks is at chance", "… — rests on one benchmark (demo_mc); left out: demo_gen (every
 * score is 0)", so "no effect" is never claimed where the data could not show one and a
 * benchmark left out is always named with its reason.
 */
export function verdict(
  p: number,
  vertex: Vertex,
  interval: LambdaInterval | null,
  alpha = 0.05,
  context: VerdictContext = { atChance: 0, benchmarks: 0 },
): string {
  const pText = p < 1e-15 ? 'p < 1e-15' : `p = ${formatSig(p)}`;
  const clauses = contextClauses(context).join('; ');
  if (!(p < alpha)) return `no detectable effect (${pText})${clauses ? ` — ${clauses}` : ''}`;
  let text: string;
  if (vertex.lambda === null) {
    text = `PLW matters (${pText}); no best PLW inside [0, 1]: ${describeNoVertex(vertex.reason)}`;
  } else {
    text = `PLW matters (${pText}); best PLW ≈ ${formatSig(vertex.lambda)}`;
    if (interval && interval.lower !== null && interval.upper !== null) {
      text += ` [${formatSig(interval.lower)}, ${formatSig(interval.upper)}]`;
    }
  }
  return clauses ? `${text} — note: ${clauses}` : text;
}

# Shared by test/reference/lme4/make_fixtures.R and test/reference/pbkrtest/make_fixtures.R
# (sourced from the repository root): the w transform, the PLW grid, tight lmer optimizer
# settings and the seeded sweep simulator.
exponent <- 0.30103
plws <- c(0, 0.0005, 0.002236, 0.01, 0.02463, 0.05, 0.1, 0.2463, 0.5, 1)
# Tight optimizer tolerances, so the reference is the optimum itself and not lme4's default
# stopping point (the defaults stop around 1e-6 relative in theta).
ctrl <- lmerControl(
  optimizer = "nloptwrap", calc.derivs = FALSE,
  optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-15, xtol_rel = 1e-14, ftol_rel = 1e-15,
                 maxeval = 100000)
)

# One sweep: benchmarks with their own intercepts, a quadratic in w, replicates, dropped cells.
simulate_sweep <- function(seed, n_bench, b0, b1, b2, sd_bench, sd_resid,
                           reps = 1, drop = 0, plw_values = plws) {
  set.seed(seed)
  bench_names <- sprintf("bench%d", seq_len(n_bench))
  offsets <- rnorm(n_bench, 0, sd_bench)
  rows <- expand.grid(rep = seq_len(reps), plw = plw_values, benchmark = bench_names,
                      stringsAsFactors = FALSE)
  w <- rows$plw^exponent
  rows$score <- b0 + offsets[match(rows$benchmark, bench_names)] + b1 * w + b2 * w^2 +
    rnorm(nrow(rows), 0, sd_resid)
  if (drop > 0) rows <- rows[runif(nrow(rows)) >= drop, ]
  rows$score <- round(rows$score, 6)
  rows[, c("plw", "benchmark", "score")]
}

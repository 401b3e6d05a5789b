# Generates test/reference/lme4/fixtures.json: seeded synthetic PLW sweeps and R lme4's fits of
#   score ~ w + I(w^2) + (1 | benchmark)   (REML and ML)
# plus the likelihood-ratio test against score ~ 1 + (1 | benchmark) from anova() (ML refits).
# Regenerate (from the repository root):
#   Rscript test/reference/lme4/make_fixtures.R > test/reference/lme4/fixtures.json
#   npx prettier --write test/reference/lme4/fixtures.json
# Needs r-base-core, r-cran-lme4 and r-cran-jsonlite (Debian packages).
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

source("test/reference/sweep_helpers.R") # exponent, plws, ctrl, simulate_sweep

fit_summary <- function(fit) {
  vc <- as.data.frame(VarCorr(fit))
  se <- sqrt(diag(as.matrix(vcov(fit))))
  fe <- fixef(fit)
  list(
    fixef = unname(as.list(fe)),
    se = unname(as.list(se)),
    t = unname(as.list(fe / se)),
    sigma2Benchmark = vc$vcov[vc$grp == "benchmark"],
    sigma2Residual = vc$vcov[vc$grp == "Residual"],
    theta = unname(getME(fit, "theta")),
    logLik = as.numeric(logLik(fit)),
    singular = isSingular(fit)
  )
}

reference <- function(name, data) {
  data$w <- data$plw^exponent
  reml <- lmer(score ~ w + I(w^2) + (1 | benchmark), data = data, REML = TRUE, control = ctrl)
  ml <- lmer(score ~ w + I(w^2) + (1 | benchmark), data = data, REML = FALSE, control = ctrl)
  null_ml <- lmer(score ~ 1 + (1 | benchmark), data = data, REML = FALSE, control = ctrl)
  null_reml <- lmer(score ~ 1 + (1 | benchmark), data = data, REML = TRUE, control = ctrl)
  a <- suppressMessages(anova(null_reml, reml)) # refits both by ML, as a user would run it
  list(
    name = name,
    command = "lmer(score ~ w + I(w^2) + (1|benchmark)); anova(null, full)",
    exponent = exponent,
    data = list(plw = data$plw, benchmark = data$benchmark, score = data$score),
    reml = fit_summary(reml),
    ml = fit_summary(ml),
    nullMl = fit_summary(null_ml),
    lrt = list(chisq = a$Chisq[2], df = a$Df[2], p = a$`Pr(>Chisq)`[2])
  )
}

scenarios <- list()
add <- function(name, data) scenarios[[length(scenarios) + 1]] <<- reference(name, data)

# Clear concave quadratic, vertex at w = 0.55 (lambda ~ 0.137).
add("quadratic", simulate_sweep(1, 4, 0.45, 0.22, -0.2, 0.1, 0.015))
# No PLW effect at all.
add("null_effect", simulate_sweep(2, 4, 0.5, 0, 0, 0.08, 0.02))
# Convex curve: w^2 coefficient positive, no best PLW.
add("convex", simulate_sweep(3, 4, 0.5, -0.2, 0.25, 0.08, 0.01))
# Concave but the vertex lies beyond w = 1.
add("vertex_outside", simulate_sweep(4, 4, 0.4, 0.3, -0.1, 0.08, 0.01))
# A quarter of the cells missing.
add("missing_cells", simulate_sweep(5, 5, 0.45, 0.22, -0.2, 0.1, 0.02, drop = 0.25))
# Only two benchmarks.
add("two_benchmarks", simulate_sweep(6, 2, 0.5, 0.2, -0.2, 0.1, 0.02))
# Three replicates (seeds) per cell.
add("replicates", simulate_sweep(7, 3, 0.45, 0.22, -0.2, 0.1, 0.02, reps = 3))
# Benchmark means that agree exactly: the benchmark variance estimate is zero (singular fit).
zero <- simulate_sweep(8, 4, 0.5, 0.2, -0.15, 0, 0.02)
zero$score <- round(zero$score - ave(zero$score, zero$benchmark) + mean(zero$score), 6)
add("zero_variance", zero)
# Unbalanced: benchmarks see different PLW subsets and different replicate counts.
unb <- rbind(
  simulate_sweep(9, 1, 0.45, 0.22, -0.2, 0.1, 0.02, reps = 2),
  transform(simulate_sweep(10, 1, 0.6, 0.22, -0.2, 0.1, 0.02, plw_values = plws[c(1, 3, 5, 7, 9, 10)]),
            benchmark = "bench2"),
  transform(simulate_sweep(11, 1, 0.3, 0.22, -0.2, 0.1, 0.02, plw_values = plws[c(2, 4, 6, 8, 10)],
                           reps = 3), benchmark = "bench3")
)
add("unbalanced", unb)
# Benchmarks far apart, tiny residual noise: a large variance ratio.
add("large_ratio", simulate_sweep(12, 4, 0.5, 0.05, -0.04, 0.3, 0.002))

# Seed replicates shaped like the demo sweep: 2 benchmarks x 5 PLW values x 3 seeds, each score
# an accuracy on 60 items (binomial noise around a quadratic in w), as `"seeds": [1, 2, 3]`
# produces; every replicate score enters the fit.
set.seed(13)
demo_plws <- c(0, 0.002236, 0.02463, 0.2463, 1)
seeds <- expand.grid(seed = 1:3, plw = demo_plws, benchmark = c("demo_mc", "demo_gen"),
                     stringsAsFactors = FALSE)
sw <- seeds$plw^exponent
p_true <- ifelse(seeds$benchmark == "demo_mc", 0.55, 0.3) + 0.2 * sw - 0.18 * sw^2
seeds$score <- rbinom(nrow(seeds), 60, p_true) / 60
add("seed_replicates", seeds[, c("plw", "benchmark", "score")])

# Per-benchmark OLS quadratics (lm) of the missing-cells sweep, and the mixed model on scores
# z-scored within each benchmark (sample sd, as scale() does).
mc <- scenarios[[which(sapply(scenarios, `[[`, "name") == "missing_cells")]]$data
mc <- data.frame(plw = mc$plw, benchmark = mc$benchmark, score = mc$score)
mc$w <- mc$plw^exponent
per_benchmark <- lapply(split(mc, mc$benchmark), function(d) {
  unname(as.list(coef(lm(score ~ w + I(w^2), data = d))))
})
mc$z <- ave(mc$score, mc$benchmark, FUN = function(s) (s - mean(s)) / sd(s))
zfit <- lmer(z ~ w + I(w^2) + (1 | benchmark), data = mc, REML = TRUE, control = ctrl)

cat(toJSON(list(
  generatedBy = "Rscript test/reference/lme4/make_fixtures.R",
  lme4 = as.character(packageVersion("lme4")),
  R = R.version.string,
  scenarios = scenarios,
  missingCellsPerBenchmarkLm = per_benchmark,
  missingCellsZscoredReml = fit_summary(zfit)
), auto_unbox = TRUE, digits = NA, pretty = FALSE))
cat("\n")

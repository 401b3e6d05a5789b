# Generates test/reference/pbkrtest/fixtures.json: seeded synthetic PLW sweeps and the
# Kenward-Roger F-test of w and w^2 from R's pbkrtest,
#   KRmodcomp(lmer(score ~ w + I(w^2) + (1 | benchmark), REML = TRUE),
#             lmer(score ~ 1 + (1 | benchmark), REML = TRUE))
# (F, numerator df, denominator df, F scaling, p, and the unscaled F), plus the exact F-test of
# an ordinary least-squares fit for a sweep with one benchmark (anova(lm(score ~ 1),
# lm(score ~ w + I(w^2)))), which is what the analysis fits when one benchmark is informative.
# Regenerate (from the repository root):
#   Rscript test/reference/pbkrtest/make_fixtures.R > test/reference/pbkrtest/fixtures.json
# Needs r-base-core, r-cran-lme4, r-cran-pbkrtest and r-cran-jsonlite (Debian packages).
suppressPackageStartupMessages({
  library(lme4)
  library(pbkrtest)
  library(jsonlite)
})

source("test/reference/sweep_helpers.R") # exponent, plws, ctrl, simulate_sweep
demo_plws <- c(0, 0.002236, 0.02463, 0.2463, 1)

kr_reference <- function(name, data) {
  data$w <- data$plw^exponent
  full <- lmer(score ~ w + I(w^2) + (1 | benchmark), data = data, REML = TRUE, control = ctrl)
  null <- lmer(score ~ 1 + (1 | benchmark), data = data, REML = TRUE, control = ctrl)
  kr <- KRmodcomp(full, null)
  vc <- as.data.frame(VarCorr(full))
  list(
    name = name,
    command = "KRmodcomp(lmer(score ~ w + I(w^2) + (1|benchmark)), lmer(score ~ 1 + (1|benchmark)))",
    exponent = exponent,
    data = list(plw = data$plw, benchmark = data$benchmark, score = data$score),
    reml = list(
      fixef = unname(as.list(fixef(full))),
      sigma2Benchmark = vc$vcov[vc$grp == "benchmark"],
      sigma2Residual = vc$vcov[vc$grp == "Residual"],
      singular = isSingular(full)
    ),
    kr = list(
      F = kr$stats$Fstat,
      ndf = kr$stats$ndf,
      ddf = kr$stats$ddf,
      scaling = kr$stats$F.scaling,
      p = kr$stats$p.value,
      Funscaled = kr$stats$FstatU
    )
  )
}

ols_reference <- function(name, data) {
  data$w <- data$plw^exponent
  a <- anova(lm(score ~ 1, data = data), lm(score ~ w + I(w^2), data = data))
  list(
    name = name,
    command = "anova(lm(score ~ 1), lm(score ~ w + I(w^2)))",
    exponent = exponent,
    data = list(plw = data$plw, benchmark = data$benchmark, score = data$score),
    fixef = unname(as.list(coef(lm(score ~ w + I(w^2), data = data)))),
    F = a$F[2], ndf = a$Df[2], ddf = a$Res.Df[2], p = a$`Pr(>F)`[2]
  )
}

scenarios <- list()
add <- function(name, data) scenarios[[length(scenarios) + 1]] <<- kr_reference(name, data)

# Balanced: 4 benchmarks x 10 PLW values, a clear concave effect (vertex at w = 0.55).
add("balanced", simulate_sweep(1, 4, 0.45, 0.22, -0.2, 0.1, 0.015))
# Balanced, a weak effect (p in the middle of [0, 1], where the tests differ most).
add("balanced_weak", simulate_sweep(21, 4, 0.5, 0.05, -0.05, 0.1, 0.03))
# Unbalanced: benchmarks see different PLW subsets and different replicate counts.
add("unbalanced", rbind(
  simulate_sweep(9, 1, 0.45, 0.12, -0.1, 0.1, 0.03, reps = 2),
  transform(simulate_sweep(10, 1, 0.6, 0.12, -0.1, 0.1, 0.03, plw_values = plws[c(1, 3, 5, 7, 9, 10)]),
            benchmark = "bench2"),
  transform(simulate_sweep(11, 1, 0.3, 0.12, -0.1, 0.1, 0.03, plw_values = plws[c(2, 4, 6, 8, 10)],
                           reps = 3), benchmark = "bench3")
))
# Unbalanced with little benchmark variance: the between-benchmark contrasts carry information
# about w, so the denominator df and the F scaling move away from the balanced values.
add("unbalanced_low_ratio", rbind(
  simulate_sweep(14, 1, 0.5, 0.1, -0.1, 0, 0.03, plw_values = plws[c(1, 2, 3)]),
  transform(simulate_sweep(15, 1, 0.52, 0.1, -0.1, 0, 0.03, plw_values = plws[c(4, 6, 8, 10)]),
            benchmark = "bench2"),
  transform(simulate_sweep(16, 1, 0.49, 0.1, -0.1, 0, 0.03, plw_values = plws[c(1, 5, 9)], reps = 2),
            benchmark = "bench3"),
  transform(simulate_sweep(17, 1, 0.51, 0.1, -0.1, 0, 0.03, plw_values = plws[c(7, 9, 10)]),
            benchmark = "bench4")
))
# A quarter of the cells missing from 5 benchmarks.
add("missing_cells", simulate_sweep(5, 5, 0.45, 0.1, -0.1, 0.1, 0.03, drop = 0.25))
# Replicates: 3 benchmarks x 5 PLW values x 3 seeds.
add("replicates", simulate_sweep(7, 3, 0.45, 0.1, -0.09, 0.1, 0.03, reps = 3, plw_values = demo_plws))
# Two benchmarks x 10 PLW values.
add("two_benchmarks", simulate_sweep(6, 2, 0.5, 0.1, -0.1, 0.1, 0.03))
# Demo-shaped: 2 benchmarks x 5 PLW values, accuracies on 60 items (binomial noise).
set.seed(13)
demo <- expand.grid(plw = demo_plws, benchmark = c("demo_mc", "demo_gen"), stringsAsFactors = FALSE)
dw <- demo$plw^exponent
demo$score <- rbinom(nrow(demo), 60, ifelse(demo$benchmark == "demo_mc", 0.55, 0.3) +
  0.2 * dw - 0.18 * dw^2) / 60
add("demo_shaped", demo[, c("plw", "benchmark", "score")])
# Minimal: 2 benchmarks x 3 PLW values, 2 residual df = the 2 restrictions, where the KR
# moments meet pbkrtest's 0/0 rule (A2 = q, V1 = 0; ddf 2, scaling 1).
add("minimal", data.frame(plw = rep(c(0, 0.1, 1), 2), benchmark = rep(c("a", "b"), each = 3),
                         score = c(0.452662, 0.500126, 0.648297, 0.415547, 0.398155, 0.416140)))
# Singular fit: benchmark means that agree exactly, so the benchmark variance estimate is 0.
zero <- simulate_sweep(8, 4, 0.5, 0.1, -0.08, 0, 0.03)
zero$score <- round(zero$score - ave(zero$score, zero$benchmark) + mean(zero$score), 6)
add("singular", zero)

ols <- list(
  ols_reference("one_benchmark", simulate_sweep(31, 1, 0.5, 0.12, -0.1, 0, 0.03)),
  ols_reference("one_benchmark_replicates",
                simulate_sweep(32, 1, 0.5, 0.12, -0.1, 0, 0.03, reps = 3, plw_values = demo_plws))
)

# F-distribution tails (central and noncentral) and the power note's smallest detectable effect
# for a one-benchmark design: the rise delta from PLW 0 to the peak of the shape
# w (1.1 - w) / 0.3025 (peak 1 at w = 0.55) that the F-test of w and w^2 at alpha = 0.05 detects
# with 80% power: ncp = delta^2 s' Cov(b)^-1 s solves pf(qf(0.95, 2, ddf), 2, ddf, ncp,
# lower.tail = FALSE) = 0.8.
fdist <- lapply(list(c(3.3537591325513, 2, 34, 0), c(0.7, 2, 11.8958974696799, 0),
                     c(40, 2, 6, 0), c(4.102821, 2, 10, 10), c(3.3, 2, 6, 2.5),
                     c(5.143253, 2, 6, 30)), function(v) {
  list(f = v[1], d1 = v[2], d2 = v[3], ncp = v[4],
       upper = pf(v[1], v[2], v[3], ncp = v[4], lower.tail = FALSE))
})
mde_w <- rep(demo_plws, each = 3)^exponent
mde_sigma <- 0.04
X <- cbind(1, mde_w, mde_w^2)
cov_b <- mde_sigma^2 * solve(crossprod(X))[2:3, 2:3]
shape <- c(1.1, -1) / 0.3025
per_unit <- drop(t(shape) %*% solve(cov_b, shape))
mde_ddf <- nrow(X) - 3
crit <- qf(0.95, 2, mde_ddf)
ncp <- uniroot(function(l) pf(crit, 2, mde_ddf, ncp = l, lower.tail = FALSE) - 0.8,
               c(0, 200), tol = 1e-13)$root
mde <- list(plw = rep(demo_plws, each = 3), exponent = exponent, sigma = mde_sigma,
            alpha = 0.05, power = 0.8, ddf = mde_ddf, mde = sqrt(ncp / per_unit))

cat(toJSON(list(
  generatedBy = "Rscript test/reference/pbkrtest/make_fixtures.R",
  pbkrtest = as.character(packageVersion("pbkrtest")),
  lme4 = as.character(packageVersion("lme4")),
  R = R.version.string,
  scenarios = scenarios,
  ols = ols,
  fdist = fdist,
  mdeOls = mde
), auto_unbox = TRUE, digits = NA, pretty = FALSE))
cat("\n")

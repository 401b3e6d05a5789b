# Generates test/reference/stats/fixtures.json: reference numbers for src-shared's score
# intervals and power note, from base R.
# Regenerate (from the repository root):
#   Rscript test/reference/stats/make_stats.R > test/reference/stats/fixtures.json
# Needs r-base-core and r-cran-jsonlite (Debian packages).
suppressPackageStartupMessages(library(jsonlite))

# Normal quantiles: qnorm.
probs <- c(1e-10, 0.001, 0.02, 0.025, 0.1, 0.5, 0.8, 0.9, 0.975, 0.98, 0.999)
qnorms <- lapply(probs, function(p) list(p = p, q = qnorm(p)))

# Wilson score intervals: prop.test without continuity correction.
cases <- list(c(0, 60), c(15, 60), c(60, 60), c(1, 12), c(7, 12), c(250, 1000), c(1, 1))
wilson <- lapply(cases, function(xn) {
  ci <- prop.test(xn[1], xn[2], correct = FALSE)$conf.int
  list(x = xn[1], n = xn[2], lower = ci[1], upper = ci[2])
})

# Minimum detectable effect of the slope of w with benchmark intercepts: Var(b_w) / sigma^2
# from lm's unscaled covariance, then (z_{1-alpha/2} + z_power) * sigma * sqrt(that).
exponent <- 0.30103
plws <- c(0, 0.002236, 0.02463, 0.2463, 1)
d <- expand.grid(seed = 1:3, plw = plws, benchmark = c("demo_mc", "demo_gen"),
                 stringsAsFactors = FALSE)
d$w <- d$plw^exponent
set.seed(3)
d$score <- rnorm(nrow(d))
fit <- lm(score ~ w + benchmark, data = d)
unscaled <- summary(fit)$cov.unscaled["w", "w"]
sigma <- 0.05
mde <- (qnorm(0.975) + qnorm(0.8)) * sigma * sqrt(unscaled)

cat(toJSON(list(
  generatedBy = "Rscript test/reference/stats/make_stats.R",
  R = R.version.string,
  qnorm = qnorms,
  wilson = wilson,
  mde = list(
    command = "(qnorm(0.975) + qnorm(0.8)) * sigma * sqrt(summary(lm(score ~ w + benchmark))$cov.unscaled['w','w'])",
    plw = d$plw, benchmark = d$benchmark, exponent = exponent, sigma = sigma,
    alpha = 0.05, power = 0.8, mde = mde
  )
), auto_unbox = TRUE, digits = NA, pretty = FALSE))
cat("\n")

# Generates test/reference/stats/fixtures.json: reference numbers for src-shared's score
# intervals, from base R. (The power note's reference is in test/reference/pbkrtest/.)
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

cat(toJSON(list(
  generatedBy = "Rscript test/reference/stats/make_stats.R",
  R = R.version.string,
  qnorm = qnorms,
  wilson = wilson
), auto_unbox = TRUE, digits = NA, pretty = FALSE))
cat("\n")

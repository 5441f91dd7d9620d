# Reference values for lscplan.spc, computed by NHSRplotthedots' own code.
#
#   Rscript tests/spc/reference.R NHSR_DIR AE_CSV OUT_DIR
#
# NHSR_DIR is a checkout of https://github.com/nhs-r-community/NHSRplotthedots (its R/
# folder is sourced: ptd_spc() and the functions it calls run as written, but for two
# dplyr 1.1 calls routed to equivalents (below), and system.file() replaced to name an
# icon instead of finding its file in an installed package). AE_CSV is /work/shared/data/ae-attendances-england-2016-2019.csv. Writes
# ae.json (the real A&E four-hour series) and synthetic.json (series built to trigger
# each rule, and random series) into OUT_DIR. See README.md beside this script.

suppressPackageStartupMessages({
  library(dplyr)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 3)
nhsr_dir <- args[[1]]
ae_csv <- args[[2]]
out_dir <- args[[3]]

# The package is written for dplyr >= 1.1, whose case_when() takes `.default` and which
# has case_match(); Debian 12 ships dplyr 1.0.10. Its files are sourced with those two
# calls (and nothing else) routed to the equivalents below, written with dplyr 1.0.10
# as dplyr 1.1 documents them: `.default` is the value where no condition holds (as a
# last `TRUE ~ .default`), case_match() gives each value the first match's right side.
case_when_1_1 <- function(..., .default = NULL) {
  if (is.null(.default)) dplyr::case_when(...) else dplyr::case_when(..., TRUE ~ .default)
}
case_match_1_1 <- function(.x, ...) {
  out <- rep(NA_character_, length(.x))
  for (f in list(...)) {
    lhs <- eval(f[[2]], environment(f))
    rhs <- eval(f[[3]], environment(f))
    out[is.na(out) & .x %in% lhs] <- rhs
  }
  out
}
source_nhsr <- function(file, only = NULL) {
  text <- readLines(file.path(nhsr_dir, "R", file), warn = FALSE)
  text <- gsub("dplyr::case_when(", "case_when_1_1(", text, fixed = TRUE)
  text <- gsub("dplyr::case_match(", "case_match_1_1(", text, fixed = TRUE)
  for (e in parse(text = text, keep.source = FALSE)) {
    # geom_ptd_icon.R also defines a ggplot2 geom: take only its ptd_get_icons()
    if (is.null(only) || (is.call(e) && identical(e[[1]], as.name("<-")) &&
      identical(e[[2]], as.name(only)))) {
      eval(e, globalenv())
    }
  }
}
for (f in c(
  "ZZZ.R", "to_datetime.R", "ptd_rebase.R", "ptd_target.R", "ptd_spc_options.R",
  "ptd_validate_spc_options.R", "ptd_add_rebase_column.R", "ptd_spc_standard.R",
  "ptd_calculate_point_type.R", "ptd_add_short_group_warnings.R",
  "ptd_add_target_column.R", "ptd_calculate_assurance_type.R", "ptd_spc.R"
)) {
  source_nhsr(f)
}
source_nhsr("geom_ptd_icon.R", only = "ptd_get_icons")
# ptd_get_icons() names the icon's file inside the installed package: name it instead.
system.file <- function(..., package = NULL) paste(..., sep = "/")

months <- function(n, start = "2016-04-01") {
  seq(as.Date(start), by = "month", length.out = n)
}

# One series through ptd_spc() and the package's icon and assurance functions.
reference <- function(name, description, values, direction = "increase", target = NULL,
                      rebase = integer(), fix_after = NULL, start = "2016-04-01") {
  n <- length(values)
  dates <- months(n, start)
  d <- data.frame(x = dates, y = as.double(values))
  s <- suppressWarnings(ptd_spc(
    d,
    value_field = "y", date_field = "x",
    rebase = if (length(rebase)) dates[rebase] else ptd_rebase(),
    fix_after_n_points = fix_after,
    improvement_direction = direction,
    target = if (is.null(target)) ptd_target() else target
  ))
  icons <- ptd_get_icons(s)
  assurance <- ptd_calculate_assurance_type(s)$assurance_type
  list(
    name = name,
    description = description,
    direction = direction,
    target = if (!is.null(target)) structure(sprintf("%.17g", target), class = "json"),
    rebase = I(format(dates[rebase], "%Y-%m")),
    fix_after = fix_after,
    periods = format(s$x, "%Y-%m"),
    values = exact(s$y),
    mean = exact(s$mean_col),
    lpl = exact(s$lpl),
    upl = exact(s$upl),
    special_cause_type = s$special_cause_type,
    point_type = s$point_type,
    variation_icon = icons$icon[icons$type == "variation"],
    assurance_icon = if (any(icons$type == "assurance")) icons$icon[icons$type == "assurance"],
    assurance_type = if (is.na(assurance)) NULL else assurance
  )
}

# Numbers as "%.17g", which reads back as the very same double (jsonlite's own
# formatting keeps 15 significant digits).
exact <- function(v) {
  structure(paste0("[", paste(ifelse(is.na(v), "null", sprintf("%.17g", v)),
                              collapse = ", "), "]"), class = "json")
}

write_fixture <- function(series, file) {
  meta <- list(
    computed_by = "tests/spc/reference.R",
    r_version = R.version.string,
    dplyr_version = as.character(packageVersion("dplyr")),
    nhsrplotthedots_commit = Sys.getenv("NHSR_COMMIT"),
    series = series
  )
  writeLines(
    toJSON(meta, auto_unbox = TRUE, null = "null", json_verbatim = TRUE, pretty = TRUE),
    file.path(out_dir, file)
  )
}

# ---- The real A&E four-hour series ---------------------------------------------------
ae <- read.csv(ae_csv, colClasses = c(period = "character", org_code = "character",
                                      type = "character"))
trusts <- c(RXN = "Central Lancashire", RXR = "Pennine Lancashire",
            RXL = "Fylde Coast", RTX = "Morecambe Bay")
four_hour <- function(codes) {
  ae %>%
    filter(org_code %in% codes) %>%
    group_by(period) %>%
    summarise(pct = 100 * (1 - sum(breaches) / sum(attendances)), .groups = "drop") %>%
    arrange(period)
}
ae_series <- list()
scopes <- c(list(system = names(trusts)), as.list(setNames(names(trusts), names(trusts))))
for (scope in names(scopes)) {
  p <- four_hour(scopes[[scope]])
  stopifnot(nrow(p) == 36, p$period[[1]] == "2016-04")
  label <- if (scope == "system") "the four trusts together" else
    paste0(scope, " (", trusts[[scope]], ")")
  for (rounded in c(FALSE, TRUE)) {
    v <- if (rounded) round(p$pct, 2) else p$pct
    suffix <- if (rounded) "-2dp" else ""
    how <- if (rounded) ", rounded to 2 decimal places" else ""
    ae_series[[length(ae_series) + 1]] <- reference(
      paste0("ae-", tolower(scope), suffix),
      paste0("A&E four-hour %, ", label, how),
      v, target = 95
    )
    ae_series[[length(ae_series) + 1]] <- reference(
      paste0("ae-", tolower(scope), suffix, "-rebased-fixed"),
      paste0("A&E four-hour %, ", label, how,
             ", rebased at 2018-04, limits fixed after 12 points"),
      v, target = 76, rebase = 25, fix_after = 12
    )
  }
}
write_fixture(ae_series, "ae.json")

# ---- Series built to trigger each rule -----------------------------------------------
base <- c(50, 52, 49, 51, 53, 48, 50, 51, 49, 52, 50, 48, 51, 49, 50, 52, 50, 49, 51, 50)
syn <- list(
  reference("common-cause", "noise only", base, target = 50),
  reference("trend-increasing", "seven rising points",
            c(base[1:14], 47, 48, 49, 50, 51, 52, 53), target = 40),
  reference("trend-decreasing", "seven falling points, higher is better",
            c(base[1:14], 53, 52, 51, 50, 49, 48, 47), target = 60),
  reference("trend-peak", "a rising trend then a falling one sharing the peak",
            c(base[1:10], 45, 46, 47, 48, 49, 50, 51, 54, 52, 51, 50, 49, 48, 47, 46)),
  reference("trend-with-tie", "six rises broken by an equal value",
            c(base[1:14], 47, 48, 49, 49, 50, 51, 52, 53)),
  reference("run-above", "a shift: eight points just above the mean",
            c(base, 51.5, 51.2, 51.8, 51.1, 51.6, 51.3, 51.9, 51.4)),
  reference("run-below-decrease", "a shift below the mean, lower is better",
            c(base, 48.5, 48.8, 48.2, 48.9, 48.4, 48.7, 48.1, 48.6),
            direction = "decrease", target = 45),
  reference("run-broken-by-mean", "runs of six interrupted by points exactly on the mean",
            c(rep(c(46, 54), 5), rep(c(49, 48), 3), 50, rep(c(49, 48), 3),
              rep(c(51, 52), 3), 50, rep(c(51, 52), 3))),
  reference("run-not-broken", "as run-broken-by-mean, a point below the mean for one on it",
            c(rep(c(46, 54), 5), rep(c(49, 48), 3), 49, rep(c(49, 48), 3),
              rep(c(51, 52), 3), 50, rep(c(51, 52), 3))),
  reference("two-in-three-above", "two of three points beyond two-thirds, above",
            c(base, 50, 55.5, 51, 55.8, 50, 49)),
  reference("two-in-three-below", "two of three points beyond two-thirds, below",
            c(base, 49, 45, 44.8, 49, 51), direction = "decrease"),
  reference("two-in-three-split", "near both limits: not the same side",
            c(base, 55.5, 44.5, 55.6, 50, 51)),
  reference("above-upl", "one point above the upper limit",
            c(base, 62, 50, 51), target = 55),
  reference("below-lpl-increase", "a last point below the lower limit, higher is better",
            c(base, 50, 38), target = 45),
  reference("below-lpl-decrease", "a last point below the lower limit, lower is better",
            c(base, 50, 38), direction = "decrease", target = 45),
  reference("above-upl-decrease", "a last point above the upper limit, lower is better",
            c(base, 50, 62), direction = "decrease", target = 40),
  reference("outlier-screened", "a spike whose moving ranges are screened out",
            c(base[1:10], 75, base[11:20])),
  reference("rebase", "a step change with the limits recalculated from it",
            c(base, base + 15), rebase = 21, target = 60),
  reference("rebase-twice", "two rebases",
            c(base[1:12], base[1:12] + 10, base[1:12] - 5), rebase = c(13, 25)),
  reference("fixed", "limits fixed after 12 points, then a drift",
            c(base[1:12], 50, 51, 52, 52, 53, 53, 54, 55, 55, 56, 57), fix_after = 12),
  reference("fixed-rebase", "limits fixed after 12 points in each segment",
            c(base[1:15], base[1:12] + 8, 59, 60, 61, 60, 62, 61, 63, 62),
            rebase = 16, fix_after = 12, target = 55),
  reference("neutral-high", "no direction, a point above the upper limit",
            c(base, 63), direction = "neutral", target = 50),
  reference("neutral-low", "no direction, a run below the mean",
            c(base, 49.5, 49.2, 49.6, 49.1, 49.3, 49.4, 49.2), direction = "neutral"),
  reference("assurance-pass-increase", "limits wholly above the target, higher is better",
            base, target = 40),
  reference("assurance-fail-increase", "limits wholly below the target, higher is better",
            base, target = 60),
  reference("assurance-inconsistent-increase", "target within the limits",
            base, target = 51),
  reference("assurance-pass-decrease", "limits wholly below the target, lower is better",
            base, direction = "decrease", target = 60),
  reference("assurance-fail-decrease", "limits wholly above the target, lower is better",
            base, direction = "decrease", target = 40),
  reference("assurance-inconsistent-decrease", "target within the limits, lower is better",
            base, direction = "decrease", target = 49),
  reference("short", "fewer than seven points", c(3, 5, 4, 6, 5)),
  reference("two-points", "the fewest with limits", c(3, 5), target = 10)
)

# Random series: normal noise, random walks (trends and runs), shifts, integers (ties
# and points exactly on the mean), with random directions, targets, rebases and fixing.
set.seed(20190331)
for (i in seq_len(150)) {
  n <- sample(8:48, 1)
  kind <- sample(c("noise", "walk", "shift", "integers"), 1)
  y <- switch(kind,
    noise = rnorm(n, 80, 4),
    walk = 80 + cumsum(rnorm(n, 0.3, 1.5)),
    shift = rnorm(n, 80, 3) + ifelse(seq_len(n) > n %/% 2, rnorm(1, 0, 6), 0),
    integers = round(rnorm(n, 10, 2))
  )
  y <- round(y, sample(c(1, 2, 10), 1))
  direction <- sample(c("increase", "decrease", "neutral"), 1)
  target <- if (runif(1) < 0.7) round(mean(y) + rnorm(1, 0, 2 * sd(y)), 1)
  rebase <- if (n >= 20 && runif(1) < 0.35) sort(sample(5:(n - 4), sample(1:2, 1)))
  fix_after <- if (n >= 14 && runif(1) < 0.3) sample(12:(n - 1), 1)
  starts <- c(1, rebase, n + 1)
  seg_ok <- all(vapply(seq_len(length(starts) - 1), function(k) {
    seg <- y[starts[k]:(starts[k + 1] - 1)]
    seg <- seg[seq_len(min(length(seg), fix_after %||% Inf))]
    length(seg) >= 2 && length(unique(seg)) > 1
  }, logical(1)))
  if (!seg_ok || any(diff(starts) < 2)) next
  syn[[length(syn) + 1]] <- reference(
    sprintf("random-%03d-%s", i, kind), paste("random", kind, "series"),
    y, direction = direction, target = target, rebase = rebase %||% integer(),
    fix_after = fix_after
  )
}
write_fixture(syn, "synthetic.json")

"""modelcheck: engines, results, reports and the command line."""

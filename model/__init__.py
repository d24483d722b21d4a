"""modelcheck: the .mig language (parse, resolve, lower to IR)."""

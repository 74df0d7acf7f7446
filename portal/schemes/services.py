"""Grant schemes and their rounds, set up by grants officers."""

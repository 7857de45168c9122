"""Pure flakiness logic: error signatures, evidence, scoring, clusters, suggestions."""

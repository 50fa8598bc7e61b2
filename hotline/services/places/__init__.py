"""The gazetteer's use cases: import, suggestions, reverse lookup, candidates."""

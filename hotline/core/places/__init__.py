"""The gazetteer (地名库): search keys, ranking, the import's rules and the grid of reverse
lookup. Pure: plain values in, plain values out."""

"""The knowledge base's pages (知识库): search, browse, articles, as-you-type suggestions."""

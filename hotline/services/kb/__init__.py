"""The knowledge base (知识库): articles and their versions, the index, search, import."""

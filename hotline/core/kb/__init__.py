"""The knowledge base (知识库): articles, their states and versions, and the search rules."""

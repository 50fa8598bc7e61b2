"""PDF documents with an embedded CJK font."""
